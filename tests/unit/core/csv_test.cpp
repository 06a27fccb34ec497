// core::csvField: the one CSV field quoting (RFC 4180).
#include <gtest/gtest.h>

#include "core/csv.h"

namespace gc = gridtwin::core;

TEST(Csv, PlainFieldsAreWrittenAsTheyAre) {
  EXPECT_EQ(gc::csvField("440604010001001"), "440604010001001");
  EXPECT_EQ(gc::csvField("禅城区 石湾镇街道"), "禅城区 石湾镇街道");
  EXPECT_EQ(gc::csvField(""), "");
}

TEST(Csv, CommasQuotesAndLineBreaksAreQuoted) {
  EXPECT_EQ(gc::csvField("a,b"), "\"a,b\"");
  EXPECT_EQ(gc::csvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(gc::csvField("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(gc::csvField("carriage\rreturn"), "\"carriage\rreturn\"");
}
