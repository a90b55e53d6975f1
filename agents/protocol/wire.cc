// Frame encoding and the incremental frame decoder.
//
// The decoder is a two-state machine: collecting the 5-byte header, then collecting
// exactly payload_len_ payload bytes. The length is checked the moment its 4 bytes
// are complete (zero or over the limit fails before the type byte is even read), and
// the type byte is checked before any payload is buffered, so a hostile peer costs at
// most max_frame_bytes of memory and learns nothing from a failure but the error.
// Errors are sticky: after one, the byte stream has no trustworthy frame boundary.
#include "agents/protocol/wire.h"

#include <algorithm>
#include <utility>

namespace sweep {
namespace {

uint32_t ReadBe32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

}  // namespace

bool IsKnownMessageType(uint8_t b) {
  return b >= static_cast<uint8_t>(MessageType::kHello) &&
         b <= static_cast<uint8_t>(MessageType::kBye);
}

const char* MessageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kHello:
      return "hello";
    case MessageType::kChallenge:
      return "challenge";
    case MessageType::kAuth:
      return "auth";
    case MessageType::kAuthOk:
      return "auth_ok";
    case MessageType::kReady:
      return "ready";
    case MessageType::kAssign:
      return "assign";
    case MessageType::kStarted:
      return "started";
    case MessageType::kMetrics:
      return "metrics";
    case MessageType::kLog:
      return "log";
    case MessageType::kFinished:
      return "finished";
    case MessageType::kStop:
      return "stop";
    case MessageType::kHeartbeat:
      return "heartbeat";
    case MessageType::kLeaseRenewed:
      return "lease_renewed";
    case MessageType::kAttachOk:
      return "attach_ok";
    case MessageType::kAttachRefused:
      return "attach_refused";
    case MessageType::kBye:
      return "bye";
  }
  return "unknown";
}

Result<std::string> EncodeFrame(MessageType type, std::string_view payload,
                                uint32_t max_frame_bytes) {
  if (payload.size() >= max_frame_bytes) {
    return Status::Usage("frame of " + std::to_string(payload.size() + 1) +
                         " bytes exceeds the limit of " + std::to_string(max_frame_bytes));
  }
  const auto len = static_cast<uint32_t>(payload.size() + 1);
  std::string out;
  out.reserve(kFrameHeaderBytes + payload.size());
  out.push_back(static_cast<char>((len >> 24) & 0xff));
  out.push_back(static_cast<char>((len >> 16) & 0xff));
  out.push_back(static_cast<char>((len >> 8) & 0xff));
  out.push_back(static_cast<char>(len & 0xff));
  out.push_back(static_cast<char>(type));
  out.append(payload);
  return out;
}

Result<Frame> DecodeFrame(std::string_view bytes, uint32_t max_frame_bytes) {
  if (bytes.size() >= kFrameHeaderBytes) {
    // Report trailing bytes precisely rather than as a second, truncated frame.
    const uint32_t len = ReadBe32(reinterpret_cast<const unsigned char*>(bytes.data()));
    if (len >= 1 && len <= max_frame_bytes && bytes.size() > size_t{4} + len) {
      return Status::Io("frame decode: " + std::to_string(bytes.size() - 4 - len) +
                        " trailing bytes after a frame of " + std::to_string(len) + " bytes");
    }
  }
  FrameDecoder decoder(max_frame_bytes);
  std::vector<Frame> frames;
  Status st = decoder.Feed(bytes, &frames);
  if (!st.ok()) return st;
  st = decoder.Finish();
  if (!st.ok()) return st;
  if (frames.empty()) return Status::Io("frame decode: no bytes");
  return std::move(frames.front());
}

FrameDecoder::FrameDecoder(uint32_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

Status FrameDecoder::Fail(std::string what) {
  error_ = Status::Io("frame decode at stream offset " + std::to_string(frame_start_) + ": " +
                      std::move(what));
  return error_;
}

Status FrameDecoder::Feed(std::string_view bytes, std::vector<Frame>* out) {
  if (!error_.ok()) return error_;
  size_t i = 0;
  while (i < bytes.size()) {
    if (header_len_ < kFrameHeaderBytes) {
      if (header_len_ == 0) frame_start_ = offset_;
      header_[header_len_++] = static_cast<unsigned char>(bytes[i++]);
      ++offset_;
      if (header_len_ == 4) {
        const uint32_t len = ReadBe32(header_);
        if (len == 0) return Fail("zero frame length (a frame holds at least its type byte)");
        if (len > max_frame_bytes_) {
          return Fail("frame length " + std::to_string(len) + " exceeds the limit of " +
                      std::to_string(max_frame_bytes_) + " bytes");
        }
        payload_len_ = len - 1;
      } else if (header_len_ == kFrameHeaderBytes) {
        if (!IsKnownMessageType(header_[4])) {
          return Fail("unknown message type " + std::to_string(header_[4]));
        }
        payload_.clear();
        payload_.reserve(payload_len_);
      }
    } else {
      const size_t take = std::min<size_t>(bytes.size() - i, payload_len_ - payload_.size());
      payload_.append(bytes.data() + i, take);
      i += take;
      offset_ += take;
    }
    if (header_len_ == kFrameHeaderBytes && payload_.size() == payload_len_) {
      out->push_back(Frame{static_cast<MessageType>(header_[4]), std::move(payload_)});
      payload_ = std::string();
      header_len_ = 0;
      payload_len_ = 0;
    }
  }
  return Status::Ok();
}

Status FrameDecoder::Finish() const {
  if (!error_.ok()) return error_;
  if (header_len_ == 0) return Status::Ok();
  if (header_len_ < kFrameHeaderBytes) {
    return Status::Io("frame decode at stream offset " + std::to_string(frame_start_) +
                      ": truncated frame: stream ended after " + std::to_string(header_len_) +
                      " of " + std::to_string(kFrameHeaderBytes) + " header bytes");
  }
  return Status::Io("frame decode at stream offset " + std::to_string(frame_start_) +
                    ": truncated frame: stream ended after " + std::to_string(payload_.size()) +
                    " of " + std::to_string(payload_len_) + " payload bytes");
}

}  // namespace sweep
