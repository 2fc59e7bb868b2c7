// storyline_crash: a crash-test harness for Storyline's write path (issue 10,
// item 9). It runs the real `storyline` binary, kills it with SIGKILL at
// random moments and checks what is left.
//
// Ingest mode (default):
//   1. writes a deterministic synthetic corpus (src/synth) as JSON Lines into
//      a fresh temporary directory (corpus.jsonl; a corpus over 32 MiB goes
//      on in corpus-2.jsonl, ... since storyline refuses files over 64 MiB);
//   2. reference: `storyline --db ref.db ingest corpus.jsonl -q` uninterrupted,
//      then `export --assignments`;
//   3. per trial i (seed = --seed + i, replay one with --only-trial i): a fresh
//      trial.db, the same ingest, SIGKILL after a delay drawn from
//      [0, reference wall time) (the seed fixes the fraction), then the
//      invariants of crash/store_check.h on a read-only connection; then the
//      same ingest again to completion, whose `export --assignments` must
//      equal the reference byte for byte.
//
// Poll mode (--poll): the same with `storyline poll --feeds list.opml`
// against a loopback server (crash/feeds.h) that serves a few slow RSS feeds
// with ETags and answers 304 to a matching If-None-Match. After the kill
// and a second, complete poll, every item of every feed must be stored:
// feed state must never be committed before the round's items.
//
// The monotonic clock only chooses kill points and feeds the report; no
// verdict depends on how long anything took (the one time limit is a hang
// guard on runs that should complete, far above their reference time).
//
// Exit codes: 0 every trial passed, 1 a trial failed (or the harness could
// not run), 2 usage error.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/text.h"
#include "crash/feeds.h"
#include "crash/store_check.h"
#include "crash/subprocess.h"
#include "synth/synth.h"

namespace storyline::crash {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kExitPass = 0;
constexpr int kExitFail = 1;
constexpr int kExitUsage = 2;

constexpr char kUsage[] = R"(usage: storyline_crash [options]

Kills `storyline ingest` (or, with --poll, `storyline poll`) with SIGKILL at
random moments and checks the store it leaves; then re-runs it to completion
and compares with an uninterrupted run.

options:
  --storyline PATH   the storyline binary (default: the one built with this harness)
  --trials N         number of kill trials (default 5)
  --articles N       corpus size: articles to ingest (default 10000), or with
                     --poll the number of feed items over all feeds (default 300)
  --seed S           corpus seed and base of the trial seeds (trial i: S + i; default 42)
  --only-trial I     run only trial I (replays a logged failure)
  --keep             keep the temporary directory (corpus, databases, logs)
  --json             print the summary as one JSON object on stdout
  --poll             poll crash test against a loopback feed server
  --feeds K          poll mode: number of feeds (default 3)
  --serve-ms MS      poll mode: time to send one feed's body (default 600)
  --batch-size N     articles per transaction of every storyline run here (sets
                     STORYLINE_BATCH_SIZE; default: storyline's own, 2000): a
                     smaller batch puts more commit points into a short corpus
  --hang-seconds S   liveness guard for runs that must complete (default: the
                     larger of 600 s and 20x the reference run)
  -h, --help         this text

exit codes: 0 every trial passed, 1 some trial failed or the harness could not
run, 2 usage error.
)";

struct Options {
  std::string storyline;
  int64_t trials = 5;
  int64_t articles = -1;  // by mode
  uint64_t seed = 42;
  int64_t only_trial = -1;
  bool keep = false;
  bool json = false;
  bool poll = false;
  int64_t feeds = 3;
  int64_t serve_ms = 600;
  int64_t hang_seconds = 0;
  int64_t batch_size = 0;  // 0: leave STORYLINE_BATCH_SIZE alone
};

bool ParseInt(std::string_view s, int64_t lo, int64_t hi, int64_t* out) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return false;
  *out = v;
  return true;
}

bool ParseU64(std::string_view s, uint64_t* out) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return false;
  *out = v;
  return true;
}

// Parses argv into `*o`. Returns "" on success, "help" for --help, else a
// message.
std::string ParseArgs(int argc, char** argv, Options* o) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> inline_value;
    if (flag.rfind("--", 0) == 0) {
      size_t eq = flag.find('=');
      if (eq != std::string::npos) {
        inline_value = flag.substr(eq + 1);
        flag = flag.substr(0, eq);
      }
    }
    auto boolean = [&](bool* b) -> std::string {
      if (inline_value) return flag + " takes no value";
      *b = true;
      return "";
    };
    auto value = [&](std::string* v) -> std::string {
      if (inline_value) {
        *v = *inline_value;
        return "";
      }
      if (i + 1 >= args.size()) return flag + " needs a value";
      *v = args[++i];
      return "";
    };
    auto integer = [&](int64_t lo, int64_t hi, int64_t* out) -> std::string {
      std::string v;
      std::string err = value(&v);
      if (!err.empty()) return err;
      if (!ParseInt(v, lo, hi, out))
        return flag + ": '" + v + "' is not an integer in [" + std::to_string(lo) + ", " +
               std::to_string(hi) + "]";
      return "";
    };
    std::string err;
    if (flag == "-h" || flag == "--help") return "help";
    if (flag == "--storyline") {
      err = value(&o->storyline);
    } else if (flag == "--trials") {
      err = integer(1, 1000000, &o->trials);
    } else if (flag == "--articles") {
      err = integer(1, 100000000, &o->articles);
    } else if (flag == "--seed") {
      std::string v;
      err = value(&v);
      if (err.empty() && !ParseU64(v, &o->seed))
        err = "--seed: '" + v + "' is not an unsigned 64-bit integer";
    } else if (flag == "--only-trial") {
      err = integer(0, 100000000, &o->only_trial);
    } else if (flag == "--keep") {
      err = boolean(&o->keep);
    } else if (flag == "--json") {
      err = boolean(&o->json);
    } else if (flag == "--poll") {
      err = boolean(&o->poll);
    } else if (flag == "--feeds") {
      err = integer(1, 50, &o->feeds);
    } else if (flag == "--serve-ms") {
      err = integer(0, 60000, &o->serve_ms);
    } else if (flag == "--batch-size") {
      err = integer(1, 1000000, &o->batch_size);
    } else if (flag == "--hang-seconds") {
      err = integer(1, 86400 * 7, &o->hang_seconds);
    } else {
      err = "unknown argument '" + args[i] + "'";
    }
    if (!err.empty()) return err;
  }
  if (o->articles < 0) o->articles = o->poll ? 300 : 10000;
  return "";
}

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return static_cast<bool>(in) || in.eof();
}

bool WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  out.flush();
  return static_cast<bool>(out);
}

void RemoveDb(const std::string& db) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal", ".lock"}) fs::remove(db + suffix, ec);
}

// The temporary directory of one harness run; removed at the end unless kept.
class Workspace {
 public:
  Workspace(bool keep) : keep_(keep) {}
  ~Workspace() {
    if (dir_.empty()) return;
    if (keep_) {
      std::fprintf(stderr, "storyline_crash: kept %s\n", dir_.c_str());
      return;
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
    if (ec)
      std::fprintf(stderr, "storyline_crash: cannot remove %s: %s\n", dir_.c_str(),
                   ec.message().c_str());
  }
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  bool Create(std::string* error) {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/storyline_crash_XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) {
      *error = "mkdtemp " + tmpl + ": " + std::strerror(errno);
      return false;
    }
    dir_ = buf.data();
    return true;
  }
  std::string File(const std::string& name) const { return (fs::path(dir_) / name).string(); }
  const std::string& dir() const { return dir_; }

 private:
  bool keep_;
  std::string dir_;
};

// Storyline refuses input files over 64 MiB (IngestOptions::max_file_bytes),
// so a large corpus is split into files of at most this many bytes.
constexpr size_t kMaxCorpusFileBytes = 32u << 20;

// JSON Lines, one object per article in publication order: id, title, text,
// source, url, published (ISO 8601), lang (only when the generator sets a
// hint). Written to `dir`/corpus.jsonl, continued in corpus-2.jsonl, ... when
// a file would exceed kMaxCorpusFileBytes; `*files` lists them in order.
bool WriteCorpus(const Workspace& ws, int64_t articles, uint64_t seed,
                 std::vector<std::string>* files, std::string* error) {
  std::ofstream out;
  size_t bytes = 0;
  auto next_file = [&]() {
    if (out.is_open()) {
      out.close();
      if (!out) {
        *error = "cannot write " + files->back();
        return false;
      }
    }
    const size_t n = files->size() + 1;
    files->push_back(ws.File(n == 1 ? "corpus.jsonl" : "corpus-" + std::to_string(n) + ".jsonl"));
    out.open(files->back(), std::ios::binary | std::ios::trunc);
    bytes = 0;
    if (!out) *error = "cannot create " + files->back();
    return static_cast<bool>(out);
  };
  files->clear();
  if (!next_file()) return false;
  synth::SynthOptions so;
  so.articles = articles;
  so.seed = seed;
  synth::CorpusGenerator gen(so);
  std::vector<synth::SynthArticle> chunk;
  for (;;) {
    chunk.clear();
    if (gen.Next(1000, &chunk) == 0) break;
    for (const auto& sa : chunk) {
      const Article& a = sa.article;
      json j = {
          {"id", a.id}, {"title", a.title}, {"text", a.text}, {"source", a.source}, {"url", a.url}};
      if (a.published) j["published"] = FormatIsoDate(*a.published);
      if (!a.lang_hint.empty()) j["lang"] = a.lang_hint;
      std::string line = j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
      if (bytes > 0 && bytes + line.size() > kMaxCorpusFileBytes && !next_file()) return false;
      out << line;
      bytes += line.size();
    }
  }
  out.close();
  if (!out) {
    *error = "cannot write " + files->back();
    return false;
  }
  return true;
}

// id -> story of an `export --assignments` output.
std::map<std::string, std::string> Assignments(const std::string& jsonl, int64_t* bad_lines) {
  std::map<std::string, std::string> out;
  *bad_lines = 0;
  for (std::string_view line : SplitLines(jsonl)) {
    if (TrimAscii(line).empty()) continue;
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    auto id = j.is_object() ? j.find("id") : j.end();
    auto story = j.is_object() ? j.find("story") : j.end();
    if (!j.is_object() || id == j.end() || story == j.end() || !id->is_string() ||
        !story->is_string()) {
      ++*bad_lines;
      continue;
    }
    out[id->get<std::string>()] = story->get<std::string>();
  }
  return out;
}

// "" if equal, else what differs.
std::string DiffAssignments(const std::string& want, const std::string& got) {
  if (want == got) return "";
  int64_t bad_want = 0, bad_got = 0;
  auto w = Assignments(want, &bad_want);
  auto g = Assignments(got, &bad_got);
  int64_t moved = 0, missing = 0, extra = 0;
  std::vector<std::string> examples;
  for (const auto& [id, story] : w) {
    auto it = g.find(id);
    if (it == g.end()) {
      ++missing;
      if (examples.size() < 3) examples.push_back(id + " missing");
    } else if (it->second != story) {
      ++moved;
      if (examples.size() < 3) examples.push_back(id + ": " + story + " -> " + it->second);
    }
  }
  for (const auto& [id, story] : g) {
    if (w.count(id) == 0) {
      ++extra;
      if (examples.size() < 3) examples.push_back(id + " extra");
    }
  }
  std::string out = "export --assignments differs from the uninterrupted run (" +
                    std::to_string(w.size()) + " ids in the reference, " +
                    std::to_string(g.size()) + " now): " + std::to_string(moved) +
                    " in another story, " + std::to_string(missing) + " missing, " +
                    std::to_string(extra) + " extra";
  if (bad_want + bad_got > 0) out += ", " + std::to_string(bad_got) + " unparsable lines";
  if (moved + missing + extra == 0) {
    // Same mapping, different bytes: show where.
    auto wl = SplitLines(want);
    auto gl = SplitLines(got);
    size_t n = 0;
    while (n < wl.size() && n < gl.size() && wl[n] == gl[n]) ++n;
    out += "; first differing line " + std::to_string(n + 1);
  } else {
    std::string e;
    for (const auto& x : examples) e += (e.empty() ? "" : "; ") + x;
    out += " (e.g. " + e + ")";
  }
  return out;
}

struct Trial {
  int64_t index = 0;
  uint64_t seed = 0;
  double kill_fraction = 0;  // of the reference run's wall time
  double kill_delay_ms = 0;
  bool killed = false;  // false: the run ended before its kill point
  std::string end;      // how the interrupted run ended
  int64_t articles_at_kill = 0;
  int64_t memberships_at_kill = 0;
  double rerun_seconds = 0;
  // Poll mode.
  int64_t feeds_with_etag_at_kill = 0;
  int64_t rerun_not_modified = 0;
  int64_t items_missing = 0;
  std::set<std::string> etag_feeds_at_kill;
  std::vector<FeedCounters> counters_before_rerun;

  bool pass = false;
  std::vector<std::string> reasons;
};

struct Reference {
  double seconds = 0;
  int64_t articles = 0;
  int64_t stories = 0;
  int64_t assignments = 0;  // lines of export --assignments
  std::string export_bytes;
};

// What differs between the ingest and the poll crash test.
struct Scenario {
  std::string name;                     // "ingest", "poll"
  std::vector<std::string> write_args;  // after `storyline --db DB`
  std::vector<int> ok_codes;            // exit codes of a complete run
  int64_t expected_assignments = -1;    // lines of the reference export, if known
  // Extra checks, each adding to `reasons` (or `*error` for the reference).
  std::function<bool(const std::string& db, std::string* error)> check_reference;
  std::function<void(const std::string& db, Trial*)> after_kill;
  std::function<void(Trial*)> before_rerun;
  std::function<void(const std::string& db, Trial*)> after_rerun;
};

class Harness {
 public:
  Harness(const Options& o, const Workspace& ws) : o_(o), ws_(ws) {}

  int Run(const Scenario& sc, json extra_summary, const std::string& corpus_desc) {
    const auto t0 = Clock::now();
    std::string error;
    if (!RunReference(sc, &error)) {
      std::fprintf(stderr, "storyline_crash: %s\n", error.c_str());
      return kExitFail;
    }
    std::fprintf(stderr,
                 "storyline_crash: reference %s: %.2f s, %lld articles, %lld stories, %lld "
                 "assignments\n",
                 sc.name.c_str(), ref_.seconds, static_cast<long long>(ref_.articles),
                 static_cast<long long>(ref_.stories), static_cast<long long>(ref_.assignments));
    const int64_t first = o_.only_trial >= 0 ? o_.only_trial : 0;
    const int64_t last = o_.only_trial >= 0 ? o_.only_trial + 1 : o_.trials;
    std::vector<Trial> trials;
    for (int64_t i = first; i < last; ++i) {
      Trial t = RunTrial(sc, i);
      Log(t);
      trials.push_back(std::move(t));
    }
    return Summarize(sc, trials, Seconds(t0, Clock::now()), std::move(extra_summary), corpus_desc);
  }

 private:
  std::vector<std::string> Argv(const std::string& db, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {o_.storyline, "--db", db};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  std::chrono::milliseconds HangLimit() const {
    if (o_.hang_seconds > 0) return std::chrono::milliseconds(o_.hang_seconds * 1000);
    return std::chrono::milliseconds(
        static_cast<int64_t>(std::max(600.0, 20 * ref_.seconds) * 1000));
  }

  // export --assignments of `db` into *out.
  bool Export(const std::string& db, const std::string& tag, std::string* out, std::string* error) {
    const std::string out_path = ws_.File(tag + ".assignments.jsonl");
    const std::string log = ws_.File(tag + ".log");
    ExitInfo info;
    double secs = 0;
    bool hung = false;
    if (!RunToCompletion({Argv(db, {"export", "--assignments"}), ws_.dir(), out_path, log},
                         HangLimit(), &info, &secs, &hung, error))
      return false;
    if (hung || !info.Ok()) {
      *error = "export --assignments " + (hung ? std::string("hung") : info.Describe()) + "\n" +
               Tail(log, 5);
      return false;
    }
    if (!ReadFile(out_path, out)) {
      *error = "cannot read " + out_path;
      return false;
    }
    return true;
  }

  bool RunReference(const Scenario& sc, std::string* error) {
    const std::string db = ws_.File("ref.db");
    const std::string log = ws_.File("ref.log");
    RemoveDb(db);
    ExitInfo info;
    bool hung = false;
    if (!RunToCompletion({Argv(db, sc.write_args), ws_.dir(), ws_.File("ref.out"), log},
                         std::chrono::milliseconds((o_.hang_seconds > 0 ? o_.hang_seconds : 3600) *
                                                   int64_t{1000}),
                         &info, &ref_.seconds, &hung, error)) {
      *error = "cannot start " + o_.storyline + ": " + *error;
      return false;
    }
    if (hung || !info.Ok(sc.ok_codes)) {
      *error = "the uninterrupted " + sc.name + " failed (" +
               (hung ? std::string("hung") : info.Describe()) + "):\n" + Tail(log, 10);
      return false;
    }
    StoreReport r = CheckStore(db);
    if (!r.violations.empty()) {
      *error = "the uninterrupted " + sc.name + " leaves an inconsistent store:";
      for (const auto& v : r.violations) *error += "\n  - " + v;
      return false;
    }
    ref_.articles = r.articles;
    ref_.stories = r.stories;
    if (!Export(db, "ref", &ref_.export_bytes, error)) return false;
    ref_.assignments =
        static_cast<int64_t>(std::count(ref_.export_bytes.begin(), ref_.export_bytes.end(), '\n'));
    if (sc.expected_assignments >= 0 && ref_.assignments != sc.expected_assignments) {
      *error = "the uninterrupted " + sc.name + " assigned " + std::to_string(ref_.assignments) +
               " of " + std::to_string(sc.expected_assignments) +
               " articles to a story; the harness cannot judge the crash runs (rerun with --keep "
               "and see ref.out, ref.log)";
      return false;
    }
    return !sc.check_reference || sc.check_reference(db, error);
  }

  Trial RunTrial(const Scenario& sc, int64_t i) {
    Trial t;
    t.index = i;
    t.seed = o_.seed + static_cast<uint64_t>(i);
    // The kill point: a fraction in [0, 1) drawn from the trial seed, of the
    // reference run's wall time (so one seed is one relative moment).
    uint64_t state = t.seed;
    t.kill_fraction = static_cast<double>(SplitMix64(&state) >> 11) * 0x1.0p-53;
    const auto delay_us = static_cast<int64_t>(t.kill_fraction * ref_.seconds * 1e6);
    t.kill_delay_ms = static_cast<double>(delay_us) / 1000.0;

    const std::string db = ws_.File("trial.db");
    const std::string tag = "trial-" + std::to_string(i);
    const std::string log = ws_.File(tag + ".log");
    RemoveDb(db);
    {
      std::error_code ec;
      fs::remove(log, ec);
    }
    const std::vector<std::string> argv = Argv(db, sc.write_args);

    // The interrupted run.
    {
      Child child;
      std::string error;
      if (!child.Start({argv, ws_.dir(), ws_.File(tag + ".kill.out"), log}, &error)) {
        t.reasons.push_back("cannot start " + o_.storyline + ": " + error);
        return t;
      }
      const bool ended = child.WaitUntil(child.started() + std::chrono::microseconds(delay_us));
      if (!ended) child.KillAndReap();
      const ExitInfo& e = child.info();
      // Not killed: it ended by itself before the kill point (or just as the
      // signal was sent), and then it must have ended well.
      t.killed = !ended && e.signaled && e.signal == SIGKILL;
      t.end = e.Describe();
      if (!t.killed && !e.Ok(sc.ok_codes))
        t.reasons.push_back("the run to be killed ended on its own before the kill point (" +
                            t.end + "):\n" + Tail(log, 5));
    }
    StoreReport at_kill = CheckStore(db);
    t.articles_at_kill = at_kill.articles;
    t.memberships_at_kill = at_kill.memberships;
    t.feeds_with_etag_at_kill = at_kill.feeds_with_etag;
    for (const auto& v : at_kill.violations) t.reasons.push_back("after the kill: " + v);
    if (sc.after_kill) sc.after_kill(db, &t);

    // The same run again, to completion.
    if (sc.before_rerun) sc.before_rerun(&t);
    ExitInfo info;
    bool hung = false;
    std::string error;
    if (!RunToCompletion({argv, ws_.dir(), ws_.File(tag + ".rerun.out"), log}, HangLimit(), &info,
                         &t.rerun_seconds, &hung, &error)) {
      t.reasons.push_back("cannot start the re-run: " + error);
    } else if (hung) {
      t.reasons.push_back("the re-run did not finish within the hang guard (" +
                          std::to_string(HangLimit().count() / 1000) + " s)");
    } else if (!info.Ok(sc.ok_codes)) {
      t.reasons.push_back("the re-run failed (" + info.Describe() + "):\n" + Tail(log, 8));
    } else {
      StoreReport after = CheckStore(db);
      for (const auto& v : after.violations) t.reasons.push_back("after the re-run: " + v);
      if (sc.after_rerun) sc.after_rerun(db, &t);
      std::string got;
      if (!Export(db, tag, &got, &error)) {
        t.reasons.push_back("after the re-run: " + error);
      } else {
        std::string diff = DiffAssignments(ref_.export_bytes, got);
        if (!diff.empty()) t.reasons.push_back("after the re-run: " + diff);
      }
    }
    t.pass = t.reasons.empty();
    return t;
  }

  void Log(const Trial& t) {
    std::string line =
        "trial " + std::to_string(t.index) + " (seed " + std::to_string(t.seed) + "): ";
    const std::string when =
        Fixed(t.kill_delay_ms, 0) + " ms = " + Fixed(t.kill_fraction, 3) + " x reference";
    if (t.killed)
      line += "killed after " + when;
    else
      line += "ended before the kill point (" + when + "; " + t.end + ")";
    line += ", " + std::to_string(t.articles_at_kill) + " articles stored";
    if (o_.poll) line += ", " + std::to_string(t.feeds_with_etag_at_kill) + " feed ETags stored";
    line += "; re-run " + Fixed(t.rerun_seconds, 1) + " s: " + (t.pass ? "PASS" : "FAIL");
    std::fprintf(stderr, "%s\n", line.c_str());
    for (const auto& r : t.reasons) std::fprintf(stderr, "    - %s\n", r.c_str());
    if (!t.pass) {
      std::string replay = "storyline_crash";
      if (o_.poll)
        replay += " --poll --feeds " + std::to_string(o_.feeds) + " --serve-ms " +
                  std::to_string(o_.serve_ms);
      replay += " --seed " + std::to_string(o_.seed) + " --articles " + std::to_string(o_.articles);
      if (o_.batch_size > 0) replay += " --batch-size " + std::to_string(o_.batch_size);
      replay += " --only-trial " + std::to_string(t.index) + " --keep";
      std::fprintf(stderr, "    replay: %s\n", replay.c_str());
    }
  }

  template <typename T>
  static json Stats(std::vector<T> v) {
    if (v.empty()) return {{"min", nullptr}, {"median", nullptr}, {"max", nullptr}};
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    const double median = n % 2 ? static_cast<double>(v[n / 2])
                                : (static_cast<double>(v[n / 2 - 1]) + v[n / 2]) / 2.0;
    return {{"min", v.front()}, {"median", median}, {"max", v.back()}};
  }

  int Summarize(const Scenario& sc, const std::vector<Trial>& trials, double total_seconds,
                json extra, const std::string& corpus_desc) {
    int64_t passed = 0, ended_early = 0;
    std::vector<double> delays;
    std::vector<int64_t> at_kill;
    json results = json::array();
    for (const auto& t : trials) {
      passed += t.pass;
      ended_early += !t.killed;
      delays.push_back(t.kill_delay_ms);
      at_kill.push_back(t.articles_at_kill);
      json r = {{"trial", t.index},
                {"seed", t.seed},
                {"kill_fraction", t.kill_fraction},
                {"kill_delay_ms", t.kill_delay_ms},
                {"killed", t.killed},
                {"ended", t.end},
                {"articles_at_kill", t.articles_at_kill},
                {"memberships_at_kill", t.memberships_at_kill},
                {"rerun_seconds", t.rerun_seconds},
                {"pass", t.pass},
                {"reasons", t.reasons}};
      if (o_.poll) {
        r["feeds_with_etag_at_kill"] = t.feeds_with_etag_at_kill;
        r["rerun_not_modified"] = t.rerun_not_modified;
        r["items_missing"] = t.items_missing;
      }
      results.push_back(std::move(r));
    }
    const int64_t failed = static_cast<int64_t>(trials.size()) - passed;
    json delay_stats = Stats(delays);
    json kill_stats = Stats(at_kill);
    if (o_.json) {
      json j = {{"mode", sc.name},
                {"storyline", o_.storyline},
                {"seed", o_.seed},
                {"articles", o_.articles},
                {"trials", trials.size()},
                {"passed", passed},
                {"failed", failed},
                {"ended_before_kill", ended_early},
                {"kill_delay_ms", delay_stats},
                {"articles_at_kill", kill_stats},
                {"reference",
                 {{"seconds", ref_.seconds},
                  {"articles", ref_.articles},
                  {"stories", ref_.stories},
                  {"assignments", ref_.assignments}}},
                {"total_seconds", total_seconds},
                {"results", results}};
      for (auto& [k, v] : extra.items()) j[k] = v;
      std::printf("%s\n", j.dump(2, ' ', false, json::error_handler_t::replace).c_str());
    } else {
      auto num = [](const json& v) {
        return v.is_null() ? std::string("-") : Fixed(v.get<double>(), 0);
      };
      std::printf("storyline_crash %s: %zu trials (%s): %lld passed, %lld failed\n",
                  sc.name.c_str(), trials.size(), corpus_desc.c_str(),
                  static_cast<long long>(passed), static_cast<long long>(failed));
      std::printf("  kill delay ms:    min %s, median %s, max %s (reference run %.2f s)\n",
                  num(delay_stats["min"]).c_str(), num(delay_stats["median"]).c_str(),
                  num(delay_stats["max"]).c_str(), ref_.seconds);
      std::printf("  articles at kill: min %s, median %s, max %s (reference %lld)\n",
                  num(kill_stats["min"]).c_str(), num(kill_stats["median"]).c_str(),
                  num(kill_stats["max"]).c_str(), static_cast<long long>(ref_.articles));
      if (ended_early > 0)
        std::printf("  ended before their kill point: %lld\n", static_cast<long long>(ended_early));
      std::printf("  total %.1f s\n", total_seconds);
    }
    std::fflush(stdout);
    return failed == 0 ? kExitPass : kExitFail;
  }

  const Options& o_;
  const Workspace& ws_;
  Reference ref_;
};

int RunIngestMode(const Options& o, const Workspace& ws) {
  std::vector<std::string> corpus;
  std::string error;
  if (!WriteCorpus(ws, o.articles, o.seed, &corpus, &error)) {
    std::fprintf(stderr, "storyline_crash: %s\n", error.c_str());
    return kExitFail;
  }
  std::fprintf(stderr, "storyline_crash: wrote %lld synthetic articles (seed %llu) to %s%s\n",
               static_cast<long long>(o.articles), static_cast<unsigned long long>(o.seed),
               corpus[0].c_str(),
               corpus.size() > 1
                   ? (" and " + std::to_string(corpus.size() - 1) + " more files").c_str()
                   : "");
  Scenario sc;
  sc.name = "ingest";
  sc.write_args = {"ingest"};
  sc.write_args.insert(sc.write_args.end(), corpus.begin(), corpus.end());
  sc.write_args.push_back("-q");
  sc.ok_codes = {0};  // 3 would mean some input was rejected: none may be here
  // Every article has its line (stored, or an alias of an exact duplicate).
  sc.expected_assignments = o.articles;
  Harness h(o, ws);
  json extra = {{"batch_size", o.batch_size > 0 ? json(o.batch_size) : json(nullptr)}};
  return h.Run(sc, extra,
               std::to_string(o.articles) + " articles, seed " + std::to_string(o.seed) +
                   (o.batch_size > 0 ? ", batch " + std::to_string(o.batch_size) : ""));
}

int RunPollMode(const Options& o, const Workspace& ws) {
  // No proxy from the environment may see the loopback requests.
  for (const char* v : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                        "ALL_PROXY", "no_proxy", "NO_PROXY"})
    ::unsetenv(v);
  FeedServer server{std::chrono::milliseconds(o.serve_ms)};
  FeedCorpus fc;
  fc.items = o.articles;
  fc.feeds = static_cast<int>(o.feeds);
  fc.seed = o.seed;
  std::string error;
  if (!server.Start(fc, &error)) {
    std::fprintf(stderr, "storyline_crash: %s\n", error.c_str());
    return kExitFail;
  }
  const auto& feeds = server.feeds();
  std::vector<std::pair<std::string, std::string>> listed;
  std::set<std::string> all_ids;
  for (const auto& f : feeds) {
    listed.push_back({f.title, server.Url(f.path)});
    all_ids.insert(f.ids.begin(), f.ids.end());
  }
  const std::string opml = ws.File("list.opml");
  if (!WriteFile(opml, MakeOpml(listed))) {
    std::fprintf(stderr, "storyline_crash: cannot write %s\n", opml.c_str());
    return kExitFail;
  }
  std::fprintf(stderr,
               "storyline_crash: serving %zu feeds, %zu items (seed %llu) on %s, %lld ms per "
               "feed body\n",
               feeds.size(), all_ids.size(), static_cast<unsigned long long>(o.seed),
               server.Url("/").c_str(), static_cast<long long>(o.serve_ms));

  Scenario sc;
  sc.name = "poll";
  sc.write_args = {"poll", "--feeds", opml};
  sc.ok_codes = {0};  // 3 would mean a feed failed
  sc.check_reference = [&](const std::string& db, std::string* err) {
    std::set<std::string> stored;
    if (!StoredIds(db, &stored, err)) return false;
    int64_t missing = 0;
    std::string example;
    for (const auto& id : all_ids)
      if (stored.count(id) == 0 && missing++ == 0) example = id;
    if (missing > 0) {
      *err = "the uninterrupted poll stored only " + std::to_string(all_ids.size() - missing) +
             " of " + std::to_string(all_ids.size()) + " feed items (e.g. '" + example +
             "' is missing); the harness cannot judge the poller";
      return false;
    }
    return true;
  };
  sc.after_kill = [&](const std::string& db, Trial* t) {
    std::string err;
    if (!FeedsWithEtag(db, &t->etag_feeds_at_kill, &err))
      t->reasons.push_back("after the kill: cannot read feeds: " + err);
  };
  sc.before_rerun = [&](Trial* t) { t->counters_before_rerun = server.Counters(); };
  sc.after_rerun = [&](const std::string& db, Trial* t) {
    const auto after = server.Counters();
    std::set<std::string> stored;
    std::string err;
    if (!StoredIds(db, &stored, &err)) {
      t->reasons.push_back("after the re-run: cannot read article ids: " + err);
      return;
    }
    std::string detail;
    for (size_t k = 0; k < feeds.size(); ++k) {
      const int64_t not_modified = after[k].not_modified - t->counters_before_rerun[k].not_modified;
      t->rerun_not_modified += not_modified;
      int64_t missing = 0;
      for (const auto& id : feeds[k].ids) missing += stored.count(id) == 0;
      t->items_missing += missing;
      if (missing == 0) continue;
      const std::string url = server.Url(feeds[k].path);
      detail += "\n      " + feeds[k].path + ": " + std::to_string(missing) + " of " +
                std::to_string(feeds[k].ids.size()) + " items missing; its ETag was " +
                (t->etag_feeds_at_kill.count(url) ? "already" : "not") +
                " stored at the kill; the re-run got " +
                (not_modified > 0 ? "304 Not Modified" : "the full feed");
    }
    if (t->items_missing > 0)
      t->reasons.push_back(std::to_string(t->items_missing) + " of " +
                           std::to_string(all_ids.size()) +
                           " feed items are never stored: feed state (ETag) was committed "
                           "before the round's items" +
                           detail);
  };
  json extra = {{"feeds", feeds.size()},
                {"items", all_ids.size()},
                {"serve_ms", o.serve_ms},
                {"batch_size", o.batch_size > 0 ? json(o.batch_size) : json(nullptr)},
                {"feed_server", server.Url("/")}};
  Harness h(o, ws);
  int rc = h.Run(sc, extra,
                 std::to_string(feeds.size()) + " feeds, " + std::to_string(all_ids.size()) +
                     " items, seed " + std::to_string(o.seed));
  server.Stop();
  return rc;
}

int Main(int argc, char** argv) {
  Options o;
  std::string err = ParseArgs(argc, argv, &o);
  if (err == "help") {
    std::fputs(kUsage, stdout);
    return kExitPass;
  }
  if (!err.empty()) {
    std::fprintf(stderr, "storyline_crash: %s\n(storyline_crash --help for usage)\n", err.c_str());
    return kExitUsage;
  }
#ifdef STORYLINE_BINARY
  if (o.storyline.empty()) o.storyline = STORYLINE_BINARY;
#endif
  if (o.storyline.empty()) {
    std::fprintf(stderr, "storyline_crash: --storyline PATH is required\n");
    return kExitUsage;
  }
  std::error_code ec;
  fs::path bin = fs::absolute(o.storyline, ec);
  if (ec || ::access(bin.c_str(), X_OK) != 0 || fs::is_directory(bin, ec)) {
    std::fprintf(stderr, "storyline_crash: --storyline: '%s' is not an executable file\n",
                 o.storyline.c_str());
    return kExitUsage;
  }
  o.storyline = bin.lexically_normal().string();
  if (o.batch_size > 0 &&
      ::setenv("STORYLINE_BATCH_SIZE", std::to_string(o.batch_size).c_str(), 1) != 0) {
    std::fprintf(stderr, "storyline_crash: cannot set STORYLINE_BATCH_SIZE\n");
    return kExitFail;
  }

  Workspace ws(o.keep);
  if (!ws.Create(&err)) {
    std::fprintf(stderr, "storyline_crash: %s\n", err.c_str());
    return kExitFail;
  }
  return o.poll ? RunPollMode(o, ws) : RunIngestMode(o, ws);
}

}  // namespace
}  // namespace storyline::crash

int main(int argc, char** argv) {
  try {
    return storyline::crash::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "storyline_crash: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "storyline_crash: internal error (unknown exception)\n");
  }
  return 1;
}
