// Wire framing for the agent protocol: pure encode/decode, no sockets.
//
// A frame is a 4-byte big-endian length L, then L bytes: one message-type byte and
// L-1 payload bytes. L counts the type byte, so L >= 1, and L must not exceed the
// decoder's limit (kDefaultMaxFrameBytes unless configured). The decoder is
// incremental: feed it arbitrary chunks (a byte at a time or many frames at once) and
// it yields whole frames, or a precise error after which it accepts nothing more.
// An oversized length is rejected as soon as its 4 bytes are seen, before any payload
// is buffered, so a peer can never make it allocate more than the limit.
// See schemas/protocol.md for the message types and their payloads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sweep {

// Version spoken in the hello; a peer with another version is refused.
inline constexpr int kProtocolVersion = 1;
// Length field (4) + type byte (1).
inline constexpr size_t kFrameHeaderBytes = 5;
// Default upper bound on L (type byte + payload), 16 MiB.
inline constexpr uint32_t kDefaultMaxFrameBytes = 16u << 20;

// One byte on the wire. Values are stable: never renumber, only add.
enum class MessageType : uint8_t {
  kHello = 1,           // agent -> controller
  kChallenge = 2,       // controller -> agent
  kAuth = 3,            // agent -> controller
  kAuthOk = 4,          // controller -> agent
  kReady = 5,           // agent -> controller
  kAssign = 6,          // controller -> agent
  kStarted = 7,         // agent -> controller
  kMetrics = 8,         // agent -> controller
  kLog = 9,             // agent -> controller (binary payload)
  kFinished = 10,       // agent -> controller
  kStop = 11,           // controller -> agent
  kHeartbeat = 12,      // agent -> controller
  kLeaseRenewed = 13,   // controller -> agent
  kAttachOk = 14,       // controller -> agent
  kAttachRefused = 15,  // controller -> agent
  kBye = 16,            // either way
};

// True when b is one of the MessageType values above.
bool IsKnownMessageType(uint8_t b);
// "hello", "challenge", ... ; "unknown" for other values.
const char* MessageTypeName(MessageType type);

struct Frame {
  MessageType type = MessageType::kBye;
  std::string payload;  // bytes after the type byte; JSON for all but kLog
};

// Encodes one frame. Error (kUsage) when 1 + payload.size() exceeds max_frame_bytes,
// so a sender never produces a frame its peer must reject.
Result<std::string> EncodeFrame(MessageType type, std::string_view payload,
                                uint32_t max_frame_bytes = kDefaultMaxFrameBytes);

// Decodes exactly one frame that spans all of bytes: errors on a truncated frame,
// trailing bytes, an oversized length, a zero length or an unknown type.
Result<Frame> DecodeFrame(std::string_view bytes, uint32_t max_frame_bytes = kDefaultMaxFrameBytes);

// Incremental decoder for one byte stream (one per connection). Not thread-safe.
class FrameDecoder {
 public:
  explicit FrameDecoder(uint32_t max_frame_bytes = kDefaultMaxFrameBytes);

  // Consumes all of bytes, appending every completed frame to *out. On a protocol
  // error returns it (kIo, the message says what and at which stream offset); frames
  // completed before the error are still appended, and every later call returns the
  // same error: the stream cannot be resynchronised, so the connection must close.
  Status Feed(std::string_view bytes, std::vector<Frame>* out);

  // Call at end of stream: an error when a partial frame is buffered ("truncated").
  Status Finish() const;

  // Bytes of the frame in progress (header and payload) held right now.
  size_t buffered() const { return header_len_ + payload_.size(); }
  uint64_t consumed() const { return offset_; }
  // Changes the limit for frames whose length has not been read yet (a connection
  // accepts only small frames until the peer is authenticated).
  void set_max_frame_bytes(uint32_t max) { max_frame_bytes_ = max; }
  uint32_t max_frame_bytes() const { return max_frame_bytes_; }
  bool failed() const { return !error_.ok(); }

 private:
  Status Fail(std::string what);

  uint32_t max_frame_bytes_;
  unsigned char header_[kFrameHeaderBytes] = {};
  size_t header_len_ = 0;
  uint32_t payload_len_ = 0;  // expected payload bytes once the header is complete
  std::string payload_;
  uint64_t offset_ = 0;  // stream bytes consumed so far, for error messages
  uint64_t frame_start_ = 0;
  Status error_;
};

}  // namespace sweep
