// core::markupEscape: the one XML/HTML escaper (grid reports, QGIS styles).
#include <gtest/gtest.h>

#include "core/markup.h"

namespace gc = gridtwin::core;

TEST(Markup, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(gc::markupEscape(R"(<a href="x">Tom & Jerry's</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
}

TEST(Markup, LeavesUtf8AndPlainTextAlone) {
  EXPECT_EQ(gc::markupEscape("禅城区 网格 440604"), "禅城区 网格 440604");
  EXPECT_EQ(gc::markupEscape(""), "");
}

TEST(Markup, AnEntityIsEscapedAgainNotKept) { EXPECT_EQ(gc::markupEscape("&amp;"), "&amp;amp;"); }
