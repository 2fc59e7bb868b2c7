#include "cli/commands.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "common/text.h"
#include "eval/evaluate.h"

namespace storyline {

namespace {

Result<double> ParseDouble(const std::string& key, const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0')
    return Status::InvalidArgument(key + ": '" + v + "' is not a number");
  return d;
}

}  // namespace

Status ApplySetting(const std::string& key, const std::string& value, EngineOptions* o) {
  auto num = [&](double* dst) -> Status {
    auto d = ParseDouble(key, value);
    if (!d.ok()) return d.status();
    *dst = *d;
    return Status::Ok();
  };
  if (key == "db") {
    o->db_path = value;
  } else if (key == "synchronous") {
    if (value != "FULL" && value != "NORMAL" && value != "OFF")
      return Status::InvalidArgument("synchronous must be FULL, NORMAL or OFF");
    o->store.synchronous = value;
  } else if (key == "threshold") {
    return num(&o->cluster.threshold);
  } else if (key == "window_days") {
    return num(&o->cluster.window_days);
  } else if (key == "time_sigma_days") {
    return num(&o->cluster.time_sigma_days);
  } else if (key == "neutral_weight") {
    return num(&o->cluster.neutral_weight);
  } else if (key == "merge_threshold") {
    return num(&o->cluster.merge_threshold);
  } else if (key == "name_boost") {
    return num(&o->cluster.name_boost);
  } else if (key == "model") {
    o->langid.model_path = value;
  } else if (key == "data_dir") {
    o->signals.data_dir = value;
  } else if (key == "batch_size") {
    double d = 0;
    Status s = num(&d);
    if (!s.ok()) return s;
    if (d < 1) return Status::InvalidArgument("batch_size must be at least 1");
    o->batch_size = static_cast<size_t>(d);
  } else {
    return Status::InvalidArgument("unknown setting '" + key + "'");
  }
  return Status::Ok();
}

Result<EngineOptions> LoadOptions(const CliConfig& cfg) {
  EngineOptions o;
  std::string file = cfg.config_file;
  if (file.empty())
    if (const char* env = std::getenv("STORYLINE_CONFIG")) file = env;
  std::error_code ec;
  if (file.empty() && std::filesystem::exists("storyline.conf", ec)) file = "storyline.conf";
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return Status::NotFound("config file '" + file + "' cannot be read");
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      std::string_view t = TrimAscii(line);
      if (t.empty() || t[0] == '#') continue;
      auto eq = t.find('=');
      if (eq == std::string_view::npos)
        return Status::InvalidArgument(file + ":" + std::to_string(n) + ": expected key = value");
      Status s = ApplySetting(std::string(TrimAscii(t.substr(0, eq))),
                              std::string(TrimAscii(t.substr(eq + 1))), &o);
      if (!s.ok())
        return Status::InvalidArgument(file + ":" + std::to_string(n) + ": " + s.message());
    }
  }
  for (const char* key :
       {"db", "synchronous", "threshold", "window_days", "time_sigma_days", "neutral_weight",
        "name_boost", "merge_threshold", "model", "data_dir", "batch_size"}) {
    std::string env = "STORYLINE_";
    for (const char* p = key; *p; ++p) env.push_back(static_cast<char>(std::toupper(*p)));
    if (const char* v = std::getenv(env.c_str())) {
      Status s = ApplySetting(key, v, &o);
      if (!s.ok()) return Status::InvalidArgument(env + ": " + s.message());
    }
  }
  if (!cfg.db.empty()) o.db_path = cfg.db;
  return o;
}

int RunEval(const EngineOptions& options, const EvalArgs& args) {
  eval::EvalRun run;
  run.gold_path = args.gold;
  run.ignore_dates = args.ignore_dates;
  run.by_lang = args.by_lang;
  auto outcome = eval::Evaluate(options, run);
  if (!outcome.ok()) {
    spdlog::error("eval failed: {}", outcome.status().ToString());
    return 1;
  }
  if (args.json) {
    nlohmann::json j = eval::ToJson(outcome->report);
    j["exact_duplicates"] = {{"labelled", outcome->duplicates_labelled},
                             {"found", outcome->duplicates_found}};
    j["seconds"] = outcome->seconds;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << eval::ToText(outcome->report);
    if (outcome->duplicates_labelled > 0)
      std::cout << "exact duplicates (dup_of) found: " << outcome->duplicates_found << " / "
                << outcome->duplicates_labelled << "\n";
  }
  return 0;
}

}  // namespace storyline
