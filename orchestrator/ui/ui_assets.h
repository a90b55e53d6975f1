// The dashboard's static files, embedded at build time by cmake/EmbedUi.cmake from
// orchestrator/ui/ (one entry per file, served at "/<file name>").
#pragma once

#include <cstddef>
#include <string_view>

namespace sweep {

struct UiAsset {
  std::string_view path;          // "/index.html", "/app.js", ...
  std::string_view content_type;  // from the file's extension
  std::string_view data;          // the file's bytes; static storage
};

// Generated: kUiAssetCount entries, then one empty sentinel.
extern const UiAsset kUiAssets[];
extern const size_t kUiAssetCount;

// The asset served at `path` ("/" means "/index.html"); nullptr when none.
const UiAsset* FindUiAsset(std::string_view path);

}  // namespace sweep
