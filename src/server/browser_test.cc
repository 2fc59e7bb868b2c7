// The web page in a real browser: Debian's chromium, headless, against a
// server on loopback. Skipped (with a message) where chromium cannot start.
// With STORYLINE_SCREENSHOTS=DIR the screenshots go to DIR (make
// screenshots writes docs/screenshots); else to a temporary directory.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>

#include "api/api.h"
#include "server/server_testing.h"
#include "store/store.h"

namespace storyline {
namespace {

using testing_server::Encode;
using testing_server::kKey;

std::string Chromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (std::filesystem::exists(p)) return p;
  return "";
}

// Text as the browser serialises it in a DOM dump (& < > escaped).
std::string DomText(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') continue;  // not shown
    out += c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : std::string(1, c);
  }
  return out;
}

struct ChromeRun {
  int code = -1;
  std::string out;
};

class BrowserTest : public testing_server::ServerFixture {
 protected:
  void SetUp() override {
    chromium_ = Chromium();
    if (chromium_.empty()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps test)";
    profile_ = testing_server::TempDirPath();
    ChromeRun probe = Chrome("--dump-dom about:blank");
    if (probe.code != 0 || probe.out.find("<html") == std::string::npos)
      GTEST_SKIP() << "chromium cannot start here (exit " << probe.code << ")";
    ServerOptions so;
    so.api_key = kKey;
    Start(so);
  }
  void TearDown() override {
    ServerFixture::TearDown();
    if (!profile_.empty()) std::filesystem::remove_all(profile_);
  }

  // One headless chromium run (no network but loopback; stops by itself).
  ChromeRun Chrome(const std::string& args) {
    std::string cmd = "timeout 90 " + chromium_ +
                      " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
                      "--no-first-run --disable-extensions --disable-background-networking "
                      "--user-data-dir=" +
                      profile_ + " " + args + " 2>/dev/null";
    ChromeRun r;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    int status = pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  }
  std::string Url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::string Dom(const std::string& path) {
    ChromeRun r = Chrome("--dump-dom '" + Url(path) + "'");
    EXPECT_EQ(r.code, 0) << path;
    return r.out;
  }

  std::string chromium_, profile_;
};

TEST_F(BrowserTest, FrontPageListsTheExampleStories) {
  auto store = OpenSqliteStore(db_, {});
  ASSERT_TRUE(store.ok());
  api::StoriesQuery q;
  q.sort = "top";
  q.limit = 30;
  auto top = api::Stories(**store, q);
  ASSERT_TRUE(top.ok());
  ASSERT_GE((*top)["stories"].size(), 8u);
  std::string dom = Dom("/");
  for (const auto& s : (*top)["stories"])
    EXPECT_NE(dom.find(DomText(s["headline"].get<std::string>())), std::string::npos)
        << s["headline"];
  EXPECT_NE(dom.find("class=\"badge\""), std::string::npos);  // language badges
}

TEST_F(BrowserTest, StoryPageShowsSourcesByLanguage) {
  auto store = OpenSqliteStore(db_, {});
  ASSERT_TRUE(store.ok());
  api::StoriesQuery q;
  q.sort = "size";
  q.limit = 1;
  auto top = api::Stories(**store, q);
  ASSERT_TRUE(top.ok());
  const auto& s = (*top)["stories"][0];
  ASSERT_GE(s["languages"].size(), 3u);
  std::string dom = Dom("/stories/" + Encode(s["id"]));
  EXPECT_NE(dom.find("id=\"h-sources\""), std::string::npos);
  for (const auto& [lang, n] : s["languages"].items())
    EXPECT_NE(dom.find("<h3 lang=\"" + lang + "\">"), std::string::npos) << lang;
}

TEST_F(BrowserTest, SearchFindsANorwegianWordWithAndWithoutDiacritics) {
  for (const char* q : {"m%C3%B8te", "mote"}) {
    std::string dom = Dom(std::string("/search?q=") + q);
    EXPECT_NE(dom.find("/articles/own-no-mote"), std::string::npos) << q;
    EXPECT_NE(dom.find("<mark>"), std::string::npos) << q;
  }
}

TEST_F(BrowserTest, ScriptInAnArticleIsShownAsTextAndNeverRuns) {
  std::string dom = Dom("/articles/own-markup");
  EXPECT_NE(dom.find("&lt;script&gt;document.title='pwned'&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(dom.find("data-pwned=\"1\""), std::string::npos);  // as an attribute: it ran
  EXPECT_EQ(dom.find("<title>pwned"), std::string::npos);
  std::string search = Dom("/search?q=markup");
  EXPECT_NE(search.find("Markup"), std::string::npos);
  EXPECT_EQ(search.find("data-pwned=\"1\""), std::string::npos);
}

TEST_F(BrowserTest, ATakedownRemovesTheArticleFromThePage) {
  auto a = client_->Get("/api/articles/own-no-mote");
  ASSERT_TRUE(a);
  ASSERT_EQ(a->status, 200);
  std::string story = nlohmann::json::parse(a->body)["story"]["id"];
  std::string page = "/stories/" + Encode(story);
  ASSERT_NE(Dom(page).find("/articles/own-no-mote"), std::string::npos);
  httplib::Headers h = {{"Authorization", std::string("Bearer ") + kKey}};
  auto td = client_->Post("/api/takedowns", h, R"({"article":"own-no-mote","reason":"test"})",
                          "application/json");
  ASSERT_TRUE(td);
  ASSERT_EQ(td->status, 200) << td->body;
  std::string after = Dom(page);
  EXPECT_EQ(after.find("/articles/own-no-mote"), std::string::npos);
  EXPECT_EQ(Dom("/search?q=mote").find("/articles/own-no-mote"), std::string::npos);
}

// Screenshots of the front page, a story page and a search page at a
// phone's and a desktop's width; they are looked at by people (docs/).
TEST_F(BrowserTest, Screenshots) {
  const char* env = std::getenv("STORYLINE_SCREENSHOTS");
  std::string dir = env && *env ? env : profile_ + "/shots";
  std::filesystem::create_directories(dir);
  auto store = OpenSqliteStore(db_, {});
  ASSERT_TRUE(store.ok());
  api::StoriesQuery q;
  q.sort = "size";
  q.limit = 1;
  auto top = api::Stories(**store, q);
  ASSERT_TRUE(top.ok());
  std::string story = (*top)["stories"][0]["id"];
  const std::pair<const char*, std::string> pages[] = {
      {"front", "/"}, {"story", "/stories/" + Encode(story)}, {"search", "/search?q=renten"}};
  const std::pair<const char*, const char*> sizes[] = {{"desktop", "1280,1600"},
                                                       {"phone", "390,1600"}};
  for (const auto& [name, path] : pages)
    for (const auto& [device, size] : sizes) {
      std::string file = dir + "/" + name + "-" + device + ".png";
      std::filesystem::remove(file);
      ChromeRun r =
          Chrome(std::string("--hide-scrollbars --force-device-scale-factor=1 --window-size=") +
                 size + " --screenshot=" + file + " '" + Url(path) + "'");
      EXPECT_EQ(r.code, 0) << file;
      std::ifstream in(file, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      ASSERT_GT(bytes.size(), 10000u) << file;
      EXPECT_EQ(bytes.substr(1, 3), "PNG") << file;
    }
}

}  // namespace
}  // namespace storyline
