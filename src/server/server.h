// Server: `storyline serve`. Public header of the stage.
//
// The JSON API (docs/api.md), the web page and Atom feeds over one store:
// request threads read through a pool of read connections (a writer never
// blocks them: WAL); one writer thread runs the queued ingest and takedown
// tasks through an Engine it opens when there is work (so that a CLI
// `storyline ingest` can run between tasks). Every page and API answer is
// rendered from the views of src/api, as the CLI's are.
//
// Security model: reads are public; ingest and takedowns need the API key
// (`Authorization: Bearer KEY`, compared in constant time; no key
// configured = write endpoints disabled, 403); request bodies are capped
// (413); a full ingest queue answers 429 with Retry-After; no CORS headers
// unless `cors_origin` is set; every piece of article text is escaped; a
// strict Content-Security-Policy (no script at all); client addresses come
// from the socket only (X-Forwarded-For is never read).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "engine/engine.h"

namespace storyline {

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // host:port (port 0: any free port)
  std::string api_key;                    // "": ingest and takedown disabled
  size_t max_body_bytes = 16u << 20;      // larger request bodies: 413
  size_t max_queue = 16;                  // queued write tasks; more: 429
  int threads = 8;                        // request threads
  std::string cors_origin;                // "": no CORS headers
  std::string public_url;                 // base of links in feeds; "": http://<listen>
  int64_t retry_after_seconds = 10;
};

// Checks ranges; InvalidArgument names the key.
Status Validate(const ServerOptions& o);

class Server {
 public:
  // Opens nothing yet but checks the options; the store is created if missing.
  static Result<std::unique_ptr<Server>> Create(const EngineOptions& engine,
                                                const ServerOptions& options);
  ~Server();
  // Binds the socket; the port actually bound (for "port 0").
  Result<int> Bind();
  // Serves until Stop(): in-flight requests finish; the task being written
  // finishes and commits, queued tasks are left undone (status "cancelled").
  void Run();
  void Stop();  // thread-safe, idempotent

 private:
  Server() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `storyline serve`: Create, Bind, Run, with SIGINT/SIGTERM as Stop.
// Exit code: 0 after a clean stop, 1 if the store or the socket fails.
int RunServer(const EngineOptions& engine, const ServerOptions& options);

}  // namespace storyline
