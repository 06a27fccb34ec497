-- gridtwin schema, version 6: the store under attack (issue 15). What a
-- scoped login (a grid head, a community, ...) could do with the rights of
-- version 5, and what closes it:
--
-- 1. Catalog shadowing. The security functions named pg_roles and
--    pg_namespace without a schema and ran with the caller's search_path,
--    where pg_temp comes first: a temporary table "pg_roles" made any login
--    the owner. Now every function of the schema pins
--    search_path = pg_catalog, gridtwin, pg_temp (pg_temp last) and names
--    catalog objects with their schema; no one but the migrating role may
--    create temporary objects in this database (TEMPORARY revoked from
--    PUBLIC), and the five group roles cannot be used as a login's scope
--    (SET ROLE gridtwin_district sees nothing, not the whole district).
-- 2. Masking that could be undone. A masked ID keeps the region code and
--    the last four characters (sequence + check digit), and characters
--    7-14 are the birth date: with the birth date in clear the ID is
--    rebuilt. Roles that see the ID masked (district, street, grid_head,
--    planner) now read the birth date only as its year (people_masked's
--    birth_year), and cannot write it (the CHECK that ties the birth date to
--    the ID would answer "is this the date?").
-- 3. Links across grids. The *_edit views now also require every link a
--    row holds (house, building, address, community and street codes) to
--    be inside the writer's scope: a foreign key checks existence only.
-- 4. Poisoned events. status and source are checked enumerations (the
--    engine's spellings, model::parseEventStatus / parseEventSource);
--    reported_at must be a real time; fid and event_id are assigned by the
--    store (identity columns: the five roles may not name them).
-- 5. Side channels. The event notification carries no payload: it only
--    wakes followers, which read gridtwin.events under their own role (a
--    forged NOTIFY adds no event; a LISTENer learns only that something was
--    inserted somewhere). The residual channels are in README.md.
--
-- Scopes also follow the engine's rules of query::makeAccess exactly: a
-- grid head names grid codes only (never a street, a community or "all"),
-- a community role names no street code, and a code that matches no grid,
-- community or street is refused (every read fails, naming the role).

-- ---- 1. temporary objects: for the migrating role (ingest's bulk load
-- keeps its saved DDL in one), not for PUBLIC. Needs the database's owner
-- (or a superuser); another migrating role gets a warning and keeps it.
DO $$
BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO %I', current_database(), current_user);
END
$$;

-- ---- 2. the security functions, catalog names qualified

-- The engine role of the current user (see 005). A group role itself
-- (SET ROLE gridtwin_district) is no login and has no scope rows: NULL,
-- it sees nothing (it would otherwise count as "district, no rows: all").
CREATE OR REPLACE FUNCTION gridtwin.access_role() RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, gridtwin, pg_temp AS $$
DECLARE
  r text;
  found text[] := '{}';
BEGIN
  IF (SELECT a.rolsuper FROM pg_catalog.pg_roles a WHERE a.rolname = current_user)
     OR pg_catalog.pg_has_role(current_user, (SELECT n.nspowner FROM pg_catalog.pg_namespace n
                                              WHERE n.nspname = 'gridtwin'), 'MEMBER') THEN
    RETURN 'owner';
  END IF;
  IF current_user::text IN ('gridtwin_district', 'gridtwin_street', 'gridtwin_community',
                            'gridtwin_grid_head', 'gridtwin_planner', 'gridtwin_operator') THEN
    RETURN NULL;
  END IF;
  FOREACH r IN ARRAY ARRAY['district', 'street', 'community', 'grid_head', 'planner'] LOOP
    IF pg_catalog.pg_has_role(current_user, 'gridtwin_' || r, 'MEMBER') THEN
      found := found || r;
    END IF;
  END LOOP;
  IF cardinality(found) > 1 THEN
    RAISE EXCEPTION 'role % holds % gridtwin roles (%): grant it exactly one', current_user,
      cardinality(found), array_to_string(found, ', ')
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN found[1];
END
$$;

-- The first of `codes` that names no grid, community or street of the
-- loaded district, or NULL. The owner's rights: the grids outside the
-- caller's scope are not visible to it (and the grids policy calls
-- scope_codes(), which calls this). Tells only whether an administrative
-- code exists.
CREATE FUNCTION gridtwin.unknown_scope_code(codes text[]) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, gridtwin, pg_temp AS $$
  SELECT c FROM pg_catalog.unnest(codes) c
  WHERE NOT EXISTS (SELECT FROM gridtwin.grids g WHERE g.code = c)
    AND NOT EXISTS (SELECT FROM gridtwin.communities m WHERE m.code = c)
    AND NOT EXISTS (SELECT FROM gridtwin.streets s WHERE s.code = c)
  ORDER BY c LIMIT 1
$$;
REVOKE ALL ON FUNCTION gridtwin.unknown_scope_code(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gridtwin.unknown_scope_code(text[]) TO gridtwin_district,
  gridtwin_street, gridtwin_community, gridtwin_grid_head, gridtwin_planner;

-- The scope codes of the current user, checked as query::makeAccess checks
-- them (what each role may name, within one street / community, known
-- codes). Errors name the role and the rule.
CREATE OR REPLACE FUNCTION gridtwin.scope_codes() RETURNS SETOF text
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, gridtwin, pg_temp AS $$
DECLARE
  kind text := gridtwin.access_role();
  codes text[];
  bad text;
  units int;
BEGIN
  IF kind IS NULL OR kind = 'owner' THEN
    RETURN;  -- no gridtwin role: no scope; the owner: every grid
  END IF;
  SELECT array_agg(s.code ORDER BY s.code) INTO codes
  FROM gridtwin.role_scopes s JOIN pg_catalog.pg_roles r ON r.rolname = s.role_name
  WHERE pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER');
  IF kind IN ('street', 'community', 'grid_head') AND codes IS NULL THEN
    RAISE EXCEPTION 'role % (gridtwin_%) needs a scope: %', current_user, kind,
      CASE kind WHEN 'grid_head' THEN 'one or more grid codes (15 digits)'
                WHEN 'community' THEN 'its community''s code, or grid codes of that one community'
                ELSE 'its street''s code, or community or grid codes of that one street' END
      || ' in gridtwin.role_scopes' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF codes IS NULL THEN
    RETURN;
  END IF;
  IF kind = 'grid_head' THEN
    SELECT c INTO bad FROM unnest(codes) c WHERE length(c) <> 15 ORDER BY c LIMIT 1;
    IF bad IS NOT NULL THEN
      RAISE EXCEPTION 'role % (gridtwin_grid_head) cannot hold the scope code %: it is a % code '
        '(a grid_head scope is one or more grid codes, 15 digits)', current_user, bad,
        CASE length(bad) WHEN 9 THEN 'street' ELSE 'community' END
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  ELSIF kind = 'community' THEN
    SELECT c INTO bad FROM unnest(codes) c WHERE length(c) = 9 ORDER BY c LIMIT 1;
    IF bad IS NOT NULL THEN
      RAISE EXCEPTION 'role % (gridtwin_community) cannot hold the scope code %: it is a street '
        'code (a community scope is its community''s code, or grid codes of that one community)',
        current_user, bad USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  bad := gridtwin.unknown_scope_code(codes);
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'role % (gridtwin_%): no grid, community or street has the scope code %',
      current_user, kind, bad USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF kind = 'street' THEN
    SELECT count(DISTINCT left(c, 9)) INTO units FROM unnest(codes) c;
  ELSIF kind = 'community' THEN
    SELECT count(DISTINCT left(c, 12)) INTO units FROM unnest(codes) c;
  END IF;
  IF units > 1 THEN
    RAISE EXCEPTION 'a % scope must lie within one %, the scope of role % spans %', kind, kind,
      current_user, units USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN QUERY SELECT unnest(codes);
END
$$;

-- Links of a row an _edit view writes: true when the linked row is in the
-- caller's scope (its row-level security shows it) or the link is empty;
-- otherwise an error that does not tell whether the row exists elsewhere.
CREATE FUNCTION gridtwin.require_building(register text, building bigint) RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, gridtwin, pg_temp AS $$
BEGIN
  IF building IS NULL OR EXISTS (SELECT FROM gridtwin.buildings b WHERE b.building_id = building)
  THEN
    RETURN true;
  END IF;
  RAISE EXCEPTION 'gridtwin.%: building_id % is not a building of the grids in the scope of '
    'role %', register, building, current_user USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION gridtwin.require_house(register text, house bigint) RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, gridtwin, pg_temp AS $$
BEGIN
  IF house IS NULL OR EXISTS (SELECT FROM gridtwin.houses h WHERE h.house_id = house) THEN
    RETURN true;
  END IF;
  RAISE EXCEPTION 'gridtwin.%: house_id % is not a house of the grids in the scope of role %',
    register, house, current_user USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION gridtwin.require_address(register text, link text, address text) RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, gridtwin, pg_temp AS $$
BEGIN
  IF address IS NULL OR EXISTS (SELECT FROM gridtwin.addresses a WHERE a.address_code = address)
  THEN
    RETURN true;
  END IF;
  RAISE EXCEPTION 'gridtwin.%: % % is not an address of the grids in the scope of role %',
    register, link, address, current_user USING ERRCODE = 'insufficient_privilege';
END
$$;

-- A row's community and street codes are those of its own grid.
CREATE FUNCTION gridtwin.require_codes(register text, grid text, community text, street text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, gridtwin, pg_temp AS $$
BEGIN
  IF (community IS NULL OR community = left(grid, 12)) AND (street IS NULL OR street = left(grid, 9))
  THEN
    RETURN true;
  END IF;
  RAISE EXCEPTION 'gridtwin.%: community_code % and street_code % must be those of grid %',
    register, community, street, grid USING ERRCODE = 'check_violation';
END
$$;

-- The edit views: the scope first (a row outside it fails before any link
-- of it is looked at: the CASE fixes the order), then the links. CHECK
-- OPTION applies the same condition to the new row of an UPDATE.
CREATE OR REPLACE VIEW gridtwin.buildings_edit WITH (security_barrier) AS
  SELECT * FROM gridtwin.buildings
  WHERE CASE WHEN gridtwin.require_scope('buildings', grid_code)
             THEN gridtwin.require_address('buildings', 'address_code', address_code)
                  AND gridtwin.require_codes('buildings', grid_code, community_code, street_code)
             ELSE false END
  WITH CASCADED CHECK OPTION;
CREATE OR REPLACE VIEW gridtwin.houses_edit WITH (security_barrier) AS
  SELECT * FROM gridtwin.houses
  WHERE CASE WHEN gridtwin.require_scope('houses', grid_code)
             THEN gridtwin.require_building('houses', building_id)
                  AND gridtwin.require_address('houses', 'address_code', address_code)
             ELSE false END
  WITH CASCADED CHECK OPTION;
CREATE OR REPLACE VIEW gridtwin.addresses_edit WITH (security_barrier) AS
  SELECT * FROM gridtwin.addresses
  WHERE CASE WHEN gridtwin.require_scope('addresses', grid_code)
             THEN gridtwin.require_building('addresses', building_id)
                  AND gridtwin.require_house('addresses', house_id)
                  AND gridtwin.require_address('addresses', 'parent_code', parent_code)
                  AND gridtwin.require_codes('addresses', grid_code, community_code, street_code)
             ELSE false END
  WITH CASCADED CHECK OPTION;
CREATE OR REPLACE VIEW gridtwin.people_edit WITH (security_barrier) AS
  SELECT * FROM gridtwin.people
  WHERE CASE WHEN gridtwin.require_scope('people', grid_code)
             THEN gridtwin.require_house('people', house_id) ELSE false END
  WITH CASCADED CHECK OPTION;
CREATE OR REPLACE VIEW gridtwin.entities_edit WITH (security_barrier) AS
  SELECT * FROM gridtwin.entities
  WHERE CASE WHEN gridtwin.require_scope('entities', grid_code)
             THEN gridtwin.require_building('entities', building_id)
                  AND gridtwin.require_address('entities', 'address_code', address_code)
             ELSE false END
  WITH CASCADED CHECK OPTION;

-- ---- 3. birth dates: the year only where the ID is masked (people_masked's
-- birth_year), and not writable there.
REVOKE SELECT (birth_date) ON gridtwin.people FROM gridtwin_district, gridtwin_street,
  gridtwin_grid_head, gridtwin_planner;
REVOKE UPDATE (birth_date) ON gridtwin.people_edit FROM gridtwin_district, gridtwin_street,
  gridtwin_grid_head;

-- ---- 4. events: checked enumerations, real times, ids from the store

ALTER TABLE gridtwin.events
  ADD CONSTRAINT events_status_check
    CHECK (status IN ('发现上报', '分类推送', '协同处理', '跟踪回访', '评价结案')),
  ADD CONSTRAINT events_source_check
    CHECK (source IN ('hotline12345', 'hotline12319', 'patrol', 'police', 'petition', 'video_ai',
                      '12345', '12319', 'grid_patrol', 'police_non_emergency'));

-- reported_at as the engine reads it: a real local date and time, then
-- nothing, "Z" or an offset +hh:mm. A trigger rather than a CHECK: ingest's
-- COPY (2 million events) skips it (bulk_load_begin disables it, as the
-- NOTIFY trigger); every other INSERT and UPDATE meets it.
CREATE FUNCTION gridtwin.check_event() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, gridtwin, pg_temp AS $$
DECLARE
  t text := NEW.reported_at;
BEGIN
  IF t !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?$'
     OR substr(t, 12, 2)::int > 23 OR substr(t, 15, 2)::int > 59 OR substr(t, 18, 2)::int > 59
     OR (length(t) = 25 AND (substr(t, 21, 2)::int > 14 OR substr(t, 24, 2)::int > 59))
     OR to_char(to_date(left(t, 10), 'YYYY-MM-DD'), 'YYYY-MM-DD') <> left(t, 10) THEN
    RAISE EXCEPTION 'gridtwin.events: reported_at ''%'' is not a time YYYY-MM-DDTHH:MM:SS '
      '(local, or with Z or +hh:mm)', left(t, 40) USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
  RAISE EXCEPTION 'gridtwin.events: reported_at ''%'' is not a real date', left(t, 40)
    USING ERRCODE = 'check_violation';
END
$$;
CREATE TRIGGER events_check BEFORE INSERT OR UPDATE ON gridtwin.events
  FOR EACH ROW EXECUTE FUNCTION gridtwin.check_event();

ALTER TABLE gridtwin.events ALTER COLUMN fid ADD GENERATED BY DEFAULT AS IDENTITY,
  ALTER COLUMN event_id ADD GENERATED BY DEFAULT AS IDENTITY;

-- Moves the events' id sequences past the ids loaded (ingest, or an owner
-- that named ids itself).
CREATE FUNCTION gridtwin.sync_event_ids() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, gridtwin, pg_temp AS $$
BEGIN
  PERFORM setval(pg_get_serial_sequence('gridtwin.events', 'fid'),
                 coalesce((SELECT max(fid) FROM gridtwin.events), 0) + 1, false);
  PERFORM setval(pg_get_serial_sequence('gridtwin.events', 'event_id'),
                 coalesce((SELECT max(event_id) FROM gridtwin.events), 0) + 1, false);
END
$$;
SELECT gridtwin.sync_event_ids();

-- The five roles insert events without naming fid or event_id.
DO $$
DECLARE
  cols text;
  r text;
BEGIN
  SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) INTO cols
  FROM information_schema.columns
  WHERE table_schema = 'gridtwin' AND table_name = 'events'
    AND column_name NOT IN ('fid', 'event_id');
  FOREACH r IN ARRAY ARRAY['district', 'street', 'community', 'grid_head'] LOOP
    EXECUTE format('REVOKE INSERT ON gridtwin.events FROM %I', 'gridtwin_' || r);
    EXECUTE format('GRANT INSERT (%s) ON gridtwin.events TO %I', cols, 'gridtwin_' || r);
  END LOOP;
END
$$;

-- ---- 5. the notification: a wake-up without payload (identical
-- notifications of one transaction are delivered once).
CREATE OR REPLACE FUNCTION gridtwin.notify_event() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, gridtwin, pg_temp AS $$
BEGIN
  PERFORM pg_catalog.pg_notify('gridtwin_events', '');
  RETURN NULL;
END
$$;

-- ---- bulk load: as 004, with the event check trigger off during the load
-- and the id sequences moved past the loaded ids after it.
CREATE OR REPLACE FUNCTION gridtwin.bulk_load_begin() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, gridtwin, pg_temp AS $$
DECLARE
  r record;
BEGIN
  CREATE TEMP TABLE gridtwin_saved_ddl (ord serial, ddl text) ON COMMIT DROP;
  -- keys first, then indexes, then foreign keys: the order to rebuild in
  INSERT INTO pg_temp.gridtwin_saved_ddl (ddl)
    SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,
                  pg_get_constraintdef(c.oid))
    FROM pg_catalog.pg_constraint c
    WHERE c.connamespace = 'gridtwin'::regnamespace AND c.contype IN ('p', 'u')
      AND c.conrelid <> 'gridtwin.dataset_tables'::regclass
      AND c.conrelid IN (SELECT oid FROM pg_catalog.pg_class
                         WHERE relnamespace = 'gridtwin'::regnamespace
                           AND relname = ANY (gridtwin.bulk_load_tables()))
    ORDER BY c.contype, c.conrelid::regclass::text, c.conname;
  INSERT INTO pg_temp.gridtwin_saved_ddl (ddl)
    SELECT pg_get_indexdef(i.indexrelid)
    FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
    WHERE t.relnamespace = 'gridtwin'::regnamespace
      AND t.relname = ANY (gridtwin.bulk_load_tables())
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conindid = i.indexrelid)
    ORDER BY t.relname, i.indexrelid::regclass::text;
  INSERT INTO pg_temp.gridtwin_saved_ddl (ddl)
    SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,
                  pg_get_constraintdef(c.oid))
    FROM pg_catalog.pg_constraint c
    WHERE c.connamespace = 'gridtwin'::regnamespace AND c.contype = 'f'
    ORDER BY c.conrelid::regclass::text, c.conname;
  FOR r IN SELECT c.conrelid::regclass AS rel, c.conname FROM pg_catalog.pg_constraint c
           WHERE c.connamespace = 'gridtwin'::regnamespace AND c.contype = 'f' LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.rel, r.conname);
  END LOOP;
  FOR r IN SELECT i.indexrelid::regclass AS idx
           FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
           WHERE t.relnamespace = 'gridtwin'::regnamespace
             AND t.relname = ANY (gridtwin.bulk_load_tables())
             AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c
                             WHERE c.conindid = i.indexrelid) LOOP
    EXECUTE format('DROP INDEX %s', r.idx);
  END LOOP;
  FOR r IN SELECT c.conrelid::regclass AS rel, c.conname FROM pg_catalog.pg_constraint c
           WHERE c.connamespace = 'gridtwin'::regnamespace AND c.contype IN ('p', 'u')
             AND c.conrelid IN (SELECT oid FROM pg_catalog.pg_class
                                WHERE relnamespace = 'gridtwin'::regnamespace
                                  AND relname = ANY (gridtwin.bulk_load_tables())) LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.rel, r.conname);
  END LOOP;
  ALTER TABLE gridtwin.events DISABLE TRIGGER events_notify;
  ALTER TABLE gridtwin.events DISABLE TRIGGER events_check;
END
$$;

CREATE OR REPLACE FUNCTION gridtwin.bulk_load_end() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, gridtwin, pg_temp AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT ddl FROM pg_temp.gridtwin_saved_ddl ORDER BY ord LOOP
    EXECUTE r.ddl;
  END LOOP;
  DROP TABLE pg_temp.gridtwin_saved_ddl;
  ALTER TABLE gridtwin.events ENABLE TRIGGER events_notify;
  ALTER TABLE gridtwin.events ENABLE TRIGGER events_check;
  PERFORM gridtwin.sync_event_ids();
END
$$;

-- ---- every function of the schema: search_path pinned. Also the pure
-- check-digit and masking functions: unpinned, the planner inlined their
-- SQL into the caller's query and resolved its names with the caller's
-- path. Cost, measured on 1 M calls (2 shared cores, load ~14): the CHECK's
-- resident_id_valid ~+2.8 us per row; the masks are no longer inlined
-- (~+6 us per masked value).
DO $$
DECLARE
  f record;
BEGIN
  FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_catalog.pg_proc p
           WHERE p.pronamespace = 'gridtwin'::regnamespace LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, gridtwin, pg_temp', f.sig);
  END LOOP;
END
$$;
