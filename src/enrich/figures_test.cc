#include "enrich/figures.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace storyline::enrich {
namespace {

// The only figure of `text`; fails the test when there is not exactly one.
Figure One(const std::string& text, const std::string& lang) {
  std::vector<Figure> f = ExtractFigures(text, lang);
  EXPECT_EQ(f.size(), 1u) << text;
  return f.empty() ? Figure{} : f[0];
}

TEST(FiguresTest, ThousandsSeparatorsPerLanguage) {
  EXPECT_DOUBLE_EQ(One("They sent 250,000 soldiers north.", "en").value, 250000);
  EXPECT_DOUBLE_EQ(One("Dort stehen 250.000 Soldaten bereit.", "de").value, 250000);
  EXPECT_DOUBLE_EQ(One("Det står 250 000 soldater ved grensen.", "no").value, 250000);
  EXPECT_DOUBLE_EQ(One("Det står 250\u00a0000 soldater ved grensen.", "no").value, 250000);
  EXPECT_DOUBLE_EQ(One("Il y a 250\u202f000 soldats.", "fr").value, 250000);
  EXPECT_DOUBLE_EQ(One("Hele 17.250 soldater deltar.", "no").value, 17250);
}

TEST(FiguresTest, DecimalCommaAndDecimalPoint) {
  Figure de = One("Die Arbeitslosigkeit stieg auf 7,5 Prozent.", "de");
  EXPECT_DOUBLE_EQ(de.value, 7.5);
  EXPECT_EQ(de.what, "percent");
  EXPECT_EQ(de.unit, "%");
  EXPECT_DOUBLE_EQ(One("Inflation hit 7.5 percent.", "en").value, 7.5);
  EXPECT_DOUBLE_EQ(One("The rock is 0.250 km wide.", "en").value, 0.25);
}

TEST(FiguresTest, ScaleWords) {
  EXPECT_DOUBLE_EQ(One("About 3.5 million people fled.", "en").value, 3.5e6);
  EXPECT_DOUBLE_EQ(One("Staten bruker 3,5 millioner kroner.", "no").value, 3.5e6);
  EXPECT_DOUBLE_EQ(One("Der Bund zahlt 2,4 Milliarden Euro.", "de").value, 2.4e9);
  EXPECT_DOUBLE_EQ(One("Al menos 2.000 millones de euros.", "es").value, 2e9);
}

TEST(FiguresTest, MoneyWithSymbolsAndWords) {
  Figure usd = One("The firm paid $7bn for it.", "en");
  EXPECT_EQ(usd.what, "money");
  EXPECT_EQ(usd.unit, "USD");
  EXPECT_DOUBLE_EQ(usd.value, 7e9);
  Figure eur = One("Le club a reçu €8m.", "fr");
  EXPECT_EQ(eur.unit, "EUR");
  EXPECT_DOUBLE_EQ(eur.value, 8e6);
  Figure nok = One("Kommunen får 12 millioner kroner.", "no");
  EXPECT_EQ(nok.unit, "NOK");
  EXPECT_DOUBLE_EQ(nok.value, 12e6);
  Figure sek = One("The prize is 5 million Swedish kronor.", "en");
  EXPECT_EQ(sek.unit, "SEK");
  Figure gbp = One("The fine was £40,000.", "en");
  EXPECT_EQ(gbp.unit, "GBP");
  EXPECT_DOUBLE_EQ(gbp.value, 40000);
  EXPECT_EQ(One("Они потеряли 300 миллионов рублей.", "ru").unit, "RUB");
}

TEST(FiguresTest, HedgeStaysInAsWrittenOnly) {
  std::string text = "Officials said more than 45,000 Russian troops had arrived.";
  Figure f = One(text, "en");
  EXPECT_EQ(f.as_written, "more than 45,000 Russian troops");
  EXPECT_EQ(f.offset, text.find("more than"));
  EXPECT_DOUBLE_EQ(f.value, 45000);
  EXPECT_EQ(f.what, "troops");
  EXPECT_EQ(One("Hun sier at rundt 800 personer kom.", "no").as_written, "rundt 800 personer");
  Figure evacuated = One("Hun sier at rundt 800 personer er evakuert.", "no");
  EXPECT_EQ(evacuated.what, "evacuated");
  EXPECT_EQ(evacuated.as_written, "rundt 800 personer er evakuert");
  EXPECT_EQ(One("Es kamen mehr als 900 Menschen.", "de").as_written, "mehr als 900 Menschen");
  EXPECT_EQ(One("Il y avait plus de 600 personnes.", "fr").as_written, "plus de 600 personnes");
  EXPECT_EQ(One("Llegaron más de 700 personas.", "es").as_written, "más de 700 personas");
}

TEST(FiguresTest, Ranges) {
  Figure a = One("They will send between 70 and 80 troops.", "en");
  EXPECT_DOUBLE_EQ(a.value, 70);
  ASSERT_TRUE(a.value_max.has_value());
  EXPECT_DOUBLE_EQ(*a.value_max, 80);
  EXPECT_EQ(a.as_written, "between 70 and 80 troops");
  Figure b = One("Norge sender 70–80 nye soldater.", "no");
  EXPECT_DOUBLE_EQ(*b.value_max, 80);
  EXPECT_EQ(b.what, "troops");
  Figure c = One("They planted 40-50 million trees.", "en");
  EXPECT_DOUBLE_EQ(c.value, 40e6);
  EXPECT_DOUBLE_EQ(*c.value_max, 50e6);
}

TEST(FiguresTest, NumberWords) {
  EXPECT_DOUBLE_EQ(One("Seven soldiers were hurt.", "en").value, 7);
  EXPECT_DOUBLE_EQ(One("Sju soldater ble sendt.", "no").value, 7);
  EXPECT_DOUBLE_EQ(One("Drei Soldaten wurden verletzt.", "de").value, 3);
  EXPECT_DOUBLE_EQ(One("Trois soldats sont morts.", "fr").value, 3);
  EXPECT_DOUBLE_EQ(One("Some hundred thousand people marched.", "en").value, 100000);
  EXPECT_DOUBLE_EQ(One("Bordet var åtte meter langt.", "no").value, 8);
  // An article is not the number one.
  EXPECT_TRUE(ExtractFigures("Ein Soldat kam.", "de").empty());
}

TEST(FiguresTest, WhatIsCounted) {
  EXPECT_EQ(One("At least 14 people were killed.", "en").what, "dead");
  EXPECT_EQ(One("Minst 14 døde i ulykken.", "no").what, "dead");
  EXPECT_EQ(One("Es gab 14 Tote.", "de").what, "dead");
  EXPECT_EQ(One("Il y a eu 14 blessés.", "fr").what, "injured");
  EXPECT_EQ(One("Hubo 14 heridos.", "es").what, "injured");
  EXPECT_EQ(One("Totalt 140 skadde ble fraktet bort.", "no").what, "injured");
  EXPECT_EQ(One("Über 3000 Menschen wurden evakuiert.", "de").what, "evacuated");
  EXPECT_EQ(One("Over 300 personer ble skadet.", "no").what, "injured");
  EXPECT_EQ(One("Cerca de 900 evacuados.", "es").what, "evacuated");
  EXPECT_EQ(One("Resultaron heridas 35 personas.", "es").what, "injured");
  EXPECT_EQ(One("В результате погибли 12 человек.", "ru").what, "dead");
  EXPECT_EQ(One("Partiet fikk 4200 stemmer.", "no").what, "votes");
  EXPECT_EQ(One("Погибли 12 военнослужащих.", "ru").what, "troops");
  EXPECT_EQ(One("The city lies 410 km east.", "en").what, "distance");
  Figure count = One("The chain will close 120 stores.", "en");
  EXPECT_EQ(count.what, "count");
  EXPECT_EQ(count.unit, "stores");
}

TEST(FiguresTest, Magnitude) {
  Figure en = One("A magnitude 5.8 earthquake struck.", "en");
  EXPECT_EQ(en.what, "magnitude");
  EXPECT_DOUBLE_EQ(en.value, 5.8);
  Figure no = One("Skjelvet målte 5,8 på Richters skala.", "no");
  EXPECT_EQ(no.what, "magnitude");
  EXPECT_DOUBLE_EQ(no.value, 5.8);
  Figure de = One("Ein Beben der Stärke 5,8 erschütterte die Stadt.", "de");
  EXPECT_EQ(de.what, "magnitude");
  EXPECT_DOUBLE_EQ(de.value, 5.8);
}

TEST(FiguresTest, SkipsYearsDatesTimesAndOrdinals) {
  EXPECT_TRUE(ExtractFigures("It happened in 1994.", "en").empty());
  EXPECT_TRUE(ExtractFigures("Det skjedde i 1994 etter valget.", "no").empty());
  EXPECT_TRUE(ExtractFigures("On 14 March the talks began.", "en").empty());
  EXPECT_TRUE(ExtractFigures("Møtet var 14. mars i Oslo.", "no").empty());
  EXPECT_TRUE(ExtractFigures("The meeting starts at 14:30 today.", "en").empty());
  EXPECT_TRUE(ExtractFigures("Il arrive à 17h30 demain.", "fr").empty());
  EXPECT_TRUE(ExtractFigures("She finished 65th overall.", "en").empty());
  EXPECT_TRUE(ExtractFigures("Published 2022-03-14 by the desk.", "en").empty());
}

TEST(FiguresTest, AgesAndDurations) {
  Figure age = One("The minister, 61, resigned.", "en");
  EXPECT_EQ(age.what, "age");
  EXPECT_EQ(One("A 33-year-old man was held.", "en").what, "age");
  Figure d = One("The siege lasted three weeks.", "en");
  EXPECT_EQ(d.what, "duration");
  EXPECT_EQ(d.unit, "weeks");
  EXPECT_DOUBLE_EQ(One("That was three decades ago.", "en").value, 30);
}

TEST(FiguresTest, FiguresInTextOrderWithOffsets) {
  std::string text = "First 200 people came; then 30 percent left, and €5m was lost.";
  std::vector<Figure> f = ExtractFigures(text, "en");
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].what, "people");
  EXPECT_EQ(f[1].what, "percent");
  EXPECT_EQ(f[2].what, "money");
  for (const Figure& x : f) EXPECT_EQ(text.substr(x.offset, x.as_written.size()), x.as_written);
}

TEST(FiguresTest, BadInputGivesNothingAndNoCrash) {
  EXPECT_TRUE(ExtractFigures("", "en").empty());
  EXPECT_TRUE(ExtractFigures("\xff\xfe 12\xc3", "xx").size() <= 1);
  std::string digits(5000, '9');
  EXPECT_TRUE(ExtractFigures(digits + " troops", "en").empty());
}

}  // namespace
}  // namespace storyline::enrich
