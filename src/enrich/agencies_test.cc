#include "enrich/agencies.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace storyline::enrich {
namespace {

using V = std::vector<std::string>;

TEST(AgenciesTest, BylineInParentheses) {
  EXPECT_EQ(FindAgencies("", "The talks ended.\n(EURONEWS with AP, AFP and REUTERS)"),
            (V{"AFP", "AP", "Reuters"}));
  EXPECT_EQ(FindAgencies("", "BERLIN (AP) — The chancellor spoke."), (V{"AP"}));
  EXPECT_EQ(FindAgencies("", "LONDON (Reuters) - Prices fell."), (V{"Reuters"}));
}

TEST(AgenciesTest, PhotoCredits) {
  EXPECT_EQ(FindAgencies("", "Statsministeren i Oslo. Foto: Kari Nordmann / AP / NTB"),
            (V{"AP", "NTB"}));
  EXPECT_EQ(FindAgencies("", "Bild: Erik Svensson/TT"), (V{"TT"}));
  EXPECT_EQ(FindAgencies("", "Text.\n©NTB"), (V{"NTB"}));
}

TEST(AgenciesTest, CreditWords) {
  EXPECT_EQ(FindAgencies("", "Det säger ministern enligt TT."), (V{"TT"}));
  EXPECT_EQ(FindAgencies("", "Det opplyser politiet, ifølge nyhetsbyrået AP."), (V{"AP"}));
  EXPECT_EQ(FindAgencies("", "Reuters reports that the deal is off."), (V{"Reuters"}));
  EXPECT_EQ(FindAgencies("", "Die Regierung tagte.\n— dpa"), (V{"dpa"}));
  EXPECT_EQ(FindAgencies("", "Regeringen mødtes. /ritzau/"), (V{"Ritzau"}));
  EXPECT_EQ(FindAgencies("", "Quelle: dpa"), (V{"dpa"}));
  EXPECT_EQ(FindAgencies("", "según informó la agencia EFE."), (V{"EFE"}));
  EXPECT_EQ(FindAgencies("", "по данным агентства Интерфакс."), (V{"Interfax"}));
  EXPECT_EQ(FindAgencies("", "сообщает ТАСС."), (V{"TASS"}));
  EXPECT_EQ(FindAgencies("", "Kilde: Agence France-Presse"), (V{"AFP"}));
  EXPECT_EQ(FindAgencies("Brann i Bergen (NTB)", ""), (V{"NTB"}));
}

TEST(AgenciesTest, NoFalsePositives) {
  // "AP" inside words, the Norwegian party Ap, "PA" and "TT" as plain tokens.
  EXPECT_TRUE(FindAgencies("", "The APEC summit and the CAPTAIN met.").empty());
  EXPECT_TRUE(FindAgencies("", "sa Jonas Støre (Ap) på møtet.").empty());
  EXPECT_TRUE(FindAgencies("", "sa Jonas Støre (AP) på møtet.").empty());
  EXPECT_TRUE(FindAgencies("", "The PA system failed in Pittsburgh, PA on Monday.").empty());
  EXPECT_TRUE(FindAgencies("", "Audi TT models were recalled.").empty());
  EXPECT_TRUE(FindAgencies("", "Michael Bloomberg spoke.").empty());
  EXPECT_TRUE(FindAgencies("", "").empty());
}

TEST(AgenciesTest, SortedAndUnique) {
  EXPECT_EQ(FindAgencies("Reuters", "(AFP) Reuters and AFP said. Foto: X / NTB / AFP"),
            (V{"AFP", "NTB", "Reuters"}));
}

}  // namespace
}  // namespace storyline::enrich
