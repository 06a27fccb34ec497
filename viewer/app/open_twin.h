#pragma once
// Opens a district for the viewer: a GeoPackage path (store's snapshot fast
// path, query::Twin::open) or a PostgreSQL URL ("postgresql://…",
// "postgres://…") through the PostGIS loader (engine/pgstore). Reentrant;
// the window calls it on a worker thread.
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "query/twin.h"

namespace gridtwin::viewer {

bool isPostgresUrl(std::string_view dataset);

// Errors: those of Twin::open, or of pgstore::loadPostgis (an unreachable
// server, no gridtwin schema) naming the server (never the password).
core::Result<std::unique_ptr<query::Twin>> openTwin(const std::string& dataset);

}  // namespace gridtwin::viewer
