#include "clean/boilerplate.h"

#include <gtest/gtest.h>

#include "common/paths.h"
#include "common/text.h"

namespace storyline {
namespace {

TEST(Boilerplate, BundledRulesRemoveDisclaimersPromptsAndPolicyBlurbs) {
  BoilerplateFilter f;
  ASSERT_TRUE(f.LoadRules(DataDirectory() + "/boilerplate/rules.txt").ok());
  EXPECT_GT(f.rules(), 20u);
  auto r = f.Filter(
      "",
      "Real paragraph one.\n\nWATCH: The latest news from around the World\n\n"
      "Så arbetar vi\n\nVåra nyheter ska vara sanna. Läs mer om hur vi arbetar.\n\n"
      "Real paragraph two.\n\nDenial of responsibility! This site aggregates.\n\nRead more");
  EXPECT_EQ(r.removed_by_rule, 5);
  EXPECT_NE(r.text.find("Real paragraph one."), std::string::npos);
  EXPECT_NE(r.text.find("Real paragraph two."), std::string::npos);
  EXPECT_EQ(r.text.find("WATCH"), std::string::npos);
  EXPECT_EQ(r.text.find("arbetar"), std::string::npos);
  EXPECT_EQ(r.text.find("Denial"), std::string::npos);
}

TEST(Boilerplate, LearnsParagraphsThatRecurAcrossArticlesOfOneSource) {
  BoilerplateOptions o;
  o.min_repeats = 2;
  BoilerplateFilter f(o);
  const std::string blurb = "Follow the Harbour Post on Mastodon for live updates.";
  auto seen = [&](const std::string& source, const std::string& text) {
    auto r = f.Filter(source, text);
    f.Learn(source, r.paragraphs);
    return r;
  };
  EXPECT_EQ(seen("harbour", "Story one.\n" + blurb).removed_learned, 0);
  EXPECT_EQ(seen("harbour", "Story two.\n" + blurb).removed_learned, 0);
  auto third = seen("harbour", "Story three.\n" + blurb);
  EXPECT_EQ(third.removed_learned, 1);
  EXPECT_EQ(third.text, "Story three.\n");
  // Another source has not learned it.
  EXPECT_EQ(seen("other", "Story.\n" + blurb).removed_learned, 0);
  // Without a source nothing is learned.
  EXPECT_EQ(seen("", "x\n" + blurb).removed_learned, 0);
}

TEST(Boilerplate, FilterAloneLearnsNothing) {
  BoilerplateOptions o;
  o.min_repeats = 1;
  BoilerplateFilter f(o);
  const std::string text = "Story one.\nFollow us on Mastodon.";
  for (int i = 0; i < 5; ++i) EXPECT_EQ(f.Filter("harbour", text).removed_learned, 0);
  EXPECT_EQ(f.entries(), 0u);
  auto r = f.Filter("harbour", text);
  f.Learn("harbour", r.paragraphs);
  EXPECT_EQ(f.Filter("harbour", "Story two.\nFollow us on Mastodon.").removed_learned, 1);
  f.ForgetLearned();
  EXPECT_EQ(f.Filter("harbour", "Story two.\nFollow us on Mastodon.").removed_learned, 0);
}

TEST(Boilerplate, LongParagraphsAreNeverLearned) {
  BoilerplateOptions o;
  o.min_repeats = 1;
  o.max_learned_bytes = 30;
  BoilerplateFilter f(o);
  std::string quote =
      "\"We are ready to follow the negotiation track,\" the president said on Tuesday.";
  f.Learn("wire", f.Filter("wire", quote).paragraphs);
  EXPECT_EQ(f.Filter("wire", quote).removed_learned, 0);
}

TEST(Boilerplate, BadRulesAreRejected) {
  BoilerplateFilter f;
  EXPECT_FALSE(f.AddRule("nonsense").ok());
  EXPECT_FALSE(f.AddRule("suffix: x").ok());
  EXPECT_FALSE(f.AddRule("exact:   ").ok());
  EXPECT_TRUE(f.AddRule("# a comment").ok());
  EXPECT_EQ(f.LoadRules("/nonexistent/rules.txt").code(), Status::Code::kNotFound);
}

// A paragraph not seen again within the horizon is forgotten (and listed
// for removal from the store); boilerplate seen in every article stays.
TEST(Boilerplate, CountsOlderThanTheHorizonAreForgottenAndRecurringOnesStay) {
  BoilerplateOptions o;
  o.horizon_articles = 16;
  BoilerplateFilter f(o);
  const std::string blurb = "Follow the Harbour Post on Mastodon for live updates.";
  for (int i = 0; i < 200; ++i) {
    auto r = f.Filter("harbour", "Story " + std::to_string(i) + ".\n" + blurb);
    f.Learn("harbour", r.paragraphs);
    // Each article's own paragraph, the blurb, and at most a sweep's lag.
    ASSERT_LE(f.entries(), 16u + 16u / 8 + 1) << i;
  }
  EXPECT_GE(f.removed().size(), 200u - 16u - 16u / 8);
  EXPECT_EQ(f.Filter("harbour", "Story x.\n" + blurb).removed_learned, 1);
  EXPECT_EQ(f.Count("harbour", Hash64(BoilerplateFilter::Fold(blurb), 0x626f696cu)), 200u);
  f.ClearDirty();
  EXPECT_TRUE(f.removed().empty());
  EXPECT_TRUE(f.dirty().empty());
}

// A full source forgets its least recently seen paragraphs, not its
// boilerplate, and goes on learning new boilerplate (it used to stop).
TEST(Boilerplate, AFullSourceForgetsItsOldestParagraphsAndStillLearnsNewBoilerplate) {
  BoilerplateOptions o;
  o.max_entries_per_source = 8;
  BoilerplateFilter f(o);
  const std::string old_blurb = "Subscribe to the Harbour Post newsletter.";
  const std::string new_blurb = "Follow the Harbour Post on Mastodon for live updates.";
  auto seen = [&](const std::string& text) {
    auto r = f.Filter("harbour", text);
    f.Learn("harbour", r.paragraphs);
    return r;
  };
  for (int i = 0; i < 50; ++i)
    seen("Story " + std::to_string(i) + ".\nMore on " + std::to_string(i) + ".\n" + old_blurb);
  EXPECT_LE(f.entries(), 8u);
  EXPECT_EQ(seen("Story a.\n" + old_blurb).removed_learned, 1);
  for (int i = 0; i < 3; ++i) seen("Story b" + std::to_string(i) + ".\n" + new_blurb);
  EXPECT_EQ(seen("Story c.\n" + new_blurb).removed_learned, 1);
  EXPECT_LE(f.entries(), 8u);
}

}  // namespace
}  // namespace storyline
