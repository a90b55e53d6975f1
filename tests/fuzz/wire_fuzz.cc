// libFuzzer target for the frame decoder and the message parser.
//
// The input is split into chunks whose sizes come from the input itself, so the
// fuzzer explores every way a stream can be cut; every frame decoded is parsed as a
// message, and every message that parses is re-encoded and parsed again. Invariants
// checked (a violation aborts, which libFuzzer reports as a crash): the decoder never
// holds more than the limit, delivered frames re-encode to exactly the bytes consumed,
// and a parsed message survives a round trip. Built only by cmake/Fuzz.cmake, which
// defines SWEEP_FUZZ_TARGET; in the test binary (tests/** is globbed) it is empty.
#ifdef SWEEP_FUZZ_TARGET

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "agents/protocol/messages.h"
#include "agents/protocol/wire.h"

namespace {

constexpr uint32_t kLimit = 1 << 16;

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t split = data[0];
  std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  sweep::FrameDecoder decoder(kLimit);
  std::vector<sweep::Frame> frames;
  size_t pos = 0, step = 0;
  bool failed = false;
  while (pos < stream.size() && !failed) {
    // Chunk sizes 1..32 cycling with the seed byte, or the whole rest when it is 0.
    const size_t n = split == 0 ? stream.size() : 1 + (split * (step + 1)) % 32;
    ++step;
    const std::string_view chunk = stream.substr(pos, n);
    pos += chunk.size();
    failed = !decoder.Feed(chunk, &frames).ok();
    Check(decoder.buffered() <= kLimit + sweep::kFrameHeaderBytes);
  }
  size_t reencoded = 0;
  for (const sweep::Frame& f : frames) {
    sweep::Result<std::string> bytes = sweep::EncodeFrame(f.type, f.payload, kLimit);
    Check(bytes.ok());
    Check(stream.substr(reencoded, bytes->size()) == *bytes);
    reencoded += bytes->size();
    sweep::Result<sweep::Message> m = sweep::DecodeMessage(f);
    if (!m.ok()) continue;
    Check(sweep::TypeOf(*m) == f.type);
    const std::string payload = sweep::EncodePayload(*m);
    sweep::Result<sweep::Message> again = sweep::DecodeMessage({f.type, payload});
    Check(again.ok());
    Check(sweep::EncodePayload(*again) == payload);
  }
  if (!failed) Check(decoder.consumed() == stream.size());
  return 0;
}

#endif  // SWEEP_FUZZ_TARGET
