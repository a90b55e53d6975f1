#include "agents/protocol/wire.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace sweep {
namespace {

std::string Frame1(MessageType t, const std::string& payload,
                   uint32_t max = kDefaultMaxFrameBytes) {
  Result<std::string> r = EncodeFrame(t, payload, max);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : "";
}

std::string Header(uint32_t len, uint8_t type) {
  std::string h;
  h.push_back(static_cast<char>(len >> 24));
  h.push_back(static_cast<char>(len >> 16));
  h.push_back(static_cast<char>(len >> 8));
  h.push_back(static_cast<char>(len));
  h.push_back(static_cast<char>(type));
  return h;
}

TEST(Wire, EncodesBigEndianLengthThenTypeThenPayload) {
  const std::string f = Frame1(MessageType::kHeartbeat, "abc");
  EXPECT_EQ(f, Header(4, 12) + "abc");
  EXPECT_EQ(Frame1(MessageType::kBye, ""), Header(1, 16));
}

TEST(Wire, DecodesAFrameSplitAtEveryByteBoundary) {
  const std::string stream = Frame1(MessageType::kHello, "{\"a\":1}") +
                             Frame1(MessageType::kBye, "") +
                             Frame1(MessageType::kLog, std::string("x\0y\n", 4));
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    FrameDecoder d;
    std::vector<Frame> out;
    ASSERT_TRUE(d.Feed(std::string_view(stream).substr(0, cut), &out).ok());
    ASSERT_TRUE(d.Feed(std::string_view(stream).substr(cut), &out).ok());
    ASSERT_TRUE(d.Finish().ok()) << "cut " << cut;
    ASSERT_EQ(out.size(), 3u) << "cut " << cut;
    EXPECT_EQ(out[0].type, MessageType::kHello);
    EXPECT_EQ(out[0].payload, "{\"a\":1}");
    EXPECT_EQ(out[1].type, MessageType::kBye);
    EXPECT_EQ(out[1].payload, "");
    EXPECT_EQ(out[2].payload, std::string("x\0y\n", 4));
  }
}

TEST(Wire, DecodesOneByteAtATime) {
  const std::string stream =
      Frame1(MessageType::kMetrics, std::string(300, 'm')) + Frame1(MessageType::kStop, "s");
  FrameDecoder d;
  std::vector<Frame> out;
  for (char c : stream) ASSERT_TRUE(d.Feed(std::string_view(&c, 1), &out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].payload.size(), 300u);
  EXPECT_EQ(out[1].payload, "s");
  EXPECT_EQ(d.consumed(), stream.size());
}

TEST(Wire, DecodesManyFramesInOneChunk) {
  std::string stream;
  for (int i = 0; i < 1000; ++i) stream += Frame1(MessageType::kHeartbeat, std::to_string(i));
  FrameDecoder d;
  std::vector<Frame> out;
  ASSERT_TRUE(d.Feed(stream, &out).ok());
  ASSERT_EQ(out.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(out[i].payload, std::to_string(i));
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(Wire, RejectsAnOversizedLengthBeforeBufferingAnyPayload) {
  FrameDecoder d(1024);
  std::vector<Frame> out;
  std::string bytes = Header(1025, 1) + std::string(100, 'x');
  const Status st = d.Feed(bytes, &out);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("frame length 1025 exceeds the limit of 1024"), std::string::npos)
      << st.message();
  EXPECT_LE(d.buffered(), 4u);
  EXPECT_TRUE(out.empty());
  // Exactly at the limit is fine.
  FrameDecoder ok(1024);
  ASSERT_TRUE(ok.Feed(Header(1024, 1) + std::string(1023, 'y'), &out).ok());
  ASSERT_EQ(out.size(), 1u);
}

TEST(Wire, RejectsAZeroLength) {
  FrameDecoder d;
  std::vector<Frame> out;
  const Status st = d.Feed(std::string(4, '\0'), &out);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("zero frame length"), std::string::npos);
}

TEST(Wire, RejectsUnknownMessageTypes) {
  for (uint8_t t : {0, 17, 200, 255}) {
    FrameDecoder d;
    std::vector<Frame> out;
    const Status st = d.Feed(Header(3, t) + "ab", &out);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("unknown message type " + std::to_string(t)), std::string::npos);
  }
  EXPECT_TRUE(IsKnownMessageType(1));
  EXPECT_TRUE(IsKnownMessageType(16));
  EXPECT_STREQ(MessageTypeName(MessageType::kAttachRefused), "attach_refused");
}

TEST(Wire, ReportsTruncatedHeaderAndPayloadAtEndOfStream) {
  const std::string f = Frame1(MessageType::kAssign, "0123456789");
  {
    FrameDecoder d;
    std::vector<Frame> out;
    ASSERT_TRUE(d.Feed(f.substr(0, 3), &out).ok());
    const Status st = d.Finish();
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("truncated frame: stream ended after 3 of 5 header bytes"),
              std::string::npos)
        << st.message();
  }
  {
    FrameDecoder d;
    std::vector<Frame> out;
    ASSERT_TRUE(d.Feed(f.substr(0, f.size() - 4), &out).ok());
    const Status st = d.Finish();
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("after 6 of 10 payload bytes"), std::string::npos) << st.message();
  }
  EXPECT_FALSE(DecodeFrame(f.substr(0, f.size() - 1)).ok());
}

TEST(Wire, AnErrorIsStickyAndFramesBeforeItAreDelivered) {
  FrameDecoder d;
  std::vector<Frame> out;
  const std::string good = Frame1(MessageType::kBye, "bye");
  const Status st = d.Feed(good + "GET / HTTP/1.1\r\n\r\n", &out);
  ASSERT_FALSE(st.ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, "bye");
  // "GET " as a length is ~1.2 GB: refused, and the offset names where the frame began.
  EXPECT_NE(st.message().find("stream offset " + std::to_string(good.size())), std::string::npos)
      << st.message();
  EXPECT_TRUE(d.failed());
  EXPECT_FALSE(d.Feed(good, &out).ok());
  EXPECT_EQ(out.size(), 1u);
}

TEST(Wire, EncodeRefusesAFrameItsPeerWouldReject) {
  EXPECT_FALSE(EncodeFrame(MessageType::kLog, std::string(100, 'x'), 100).ok());
  EXPECT_TRUE(EncodeFrame(MessageType::kLog, std::string(99, 'x'), 100).ok());
}

TEST(Wire, DecodeFrameWantsExactlyOneFrame) {
  const std::string f = Frame1(MessageType::kAuth, "p");
  Result<Frame> one = DecodeFrame(f);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->type, MessageType::kAuth);
  Result<Frame> extra = DecodeFrame(f + "z");
  ASSERT_FALSE(extra.ok());
  EXPECT_NE(extra.status().message().find("1 trailing bytes"), std::string::npos);
  EXPECT_FALSE(DecodeFrame("").ok());
}

TEST(Wire, RaisingTheLimitAppliesToTheNextFrame) {
  FrameDecoder d(16);
  std::vector<Frame> out;
  ASSERT_FALSE(
      FrameDecoder(16).Feed(Frame1(MessageType::kAssign, std::string(40, 'a')), &out).ok());
  d.set_max_frame_bytes(64);
  ASSERT_TRUE(d.Feed(Frame1(MessageType::kAssign, std::string(40, 'a')), &out).ok());
  EXPECT_EQ(out.size(), 1u);
}

TEST(Wire, RandomGarbageNeverBuffersMoreThanTheLimit) {
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    FrameDecoder d(4096);
    std::vector<Frame> out;
    for (int chunk = 0; chunk < 20 && !d.failed(); ++chunk) {
      std::string bytes(rng() % 64, '\0');
      for (char& c : bytes) c = static_cast<char>(rng());
      (void)d.Feed(bytes, &out);
      EXPECT_LE(d.buffered(), 4096u + kFrameHeaderBytes);
    }
    for (const Frame& f : out) EXPECT_LT(f.payload.size(), 4096u);
  }
}

}  // namespace
}  // namespace sweep
