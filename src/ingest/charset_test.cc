#include "ingest/charset.h"

#include <gtest/gtest.h>

#include <string>

#include "common/text.h"

namespace storyline {
namespace {

// "Президент России Владимир Путин провёл переговоры с канцлером Германии в
// Москве. Стороны обсудили поставки газа и ситуацию на границе." in KOI8-R.
const char kKoi8r[] =
    "\xF0\xD2\xC5\xDA\xC9\xC4\xC5\xCE\xD4 \xF2\xCF\xD3\xD3\xC9\xC9 "
    "\xF7\xCC\xC1\xC4\xC9\xCD\xC9\xD2 "
    "\xF0\xD5\xD4\xC9\xCE \xD0\xD2\xCF\xD7\xA3\xCC \xD0\xC5\xD2\xC5\xC7\xCF\xD7\xCF\xD2\xD9 \xD3 "
    "\xCB\xC1\xCE\xC3\xCC\xC5\xD2\xCF\xCD \xE7\xC5\xD2\xCD\xC1\xCE\xC9\xC9 \xD7 "
    "\xED\xCF\xD3\xCB\xD7\xC5. \xF3\xD4\xCF\xD2\xCF\xCE\xD9 \xCF\xC2\xD3\xD5\xC4\xC9\xCC\xC9 "
    "\xD0\xCF\xD3\xD4\xC1\xD7\xCB\xC9 \xC7\xC1\xDA\xC1 \xC9 \xD3\xC9\xD4\xD5\xC1\xC3\xC9\xC0 "
    "\xCE\xC1 \xC7\xD2\xC1\xCE\xC9\xC3\xC5.";
const char kRussianUtf8[] =
    "Президент России Владимир Путин провёл переговоры с канцлером Германии в Москве. Стороны "
    "обсудили поставки газа и ситуацию на границе.";

TEST(Charset, EmptyInputIsEmptyUtf8) {
  DecodedText d = DecodeToUtf8("");
  EXPECT_EQ(d.utf8, "");
  EXPECT_EQ(d.charset, "utf-8");
  EXPECT_EQ(d.replaced, 0);
}

TEST(Charset, Utf8BomIsStripped) {
  DecodedText d = DecodeToUtf8("\xEF\xBB\xBFZürich");
  EXPECT_EQ(d.utf8, "Zürich");
  EXPECT_EQ(d.charset, "utf-8");
  EXPECT_EQ(d.evidence, "bom");
}

TEST(Charset, Utf16LittleEndianWithBom) {
  std::string bytes(
      "\xFF\xFE"
      "Z\0\xFC\0r\0i\0c\0h\0",
      14);
  DecodedText d = DecodeToUtf8(bytes);
  EXPECT_EQ(d.utf8, "Zürich");
  EXPECT_EQ(d.charset, "utf-16le");
  EXPECT_EQ(d.evidence, "bom");
  EXPECT_EQ(d.replaced, 0);
}

TEST(Charset, Utf16BigEndianWithBomAndSurrogatePair) {
  // "a😀" = U+0061 U+1F600 (D83D DE00).
  std::string bytes("\xFE\xFF\0a\xD8\x3D\xDE\x00", 8);
  DecodedText d = DecodeToUtf8(bytes);
  EXPECT_EQ(d.utf8, "a\xF0\x9F\x98\x80");
  EXPECT_EQ(d.charset, "utf-16be");
}

TEST(Charset, Utf16UnpairedSurrogateIsReplacedAndCounted) {
  std::string bytes(
      "\xFF\xFE"
      "a\0\x00\xD8"
      "b\0",
      8);
  DecodedText d = DecodeToUtf8(bytes);
  EXPECT_TRUE(IsValidUtf8(d.utf8));
  EXPECT_EQ(d.utf8,
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_GE(d.replaced, 1);
}

TEST(Charset, Utf16WithoutBomIsRecognisedFromXmlStart) {
  std::string ascii = "<?xml version=\"1.0\"?><a>hi</a>";
  std::string bytes;
  for (char c : ascii) {
    bytes.push_back(c);
    bytes.push_back('\0');
  }
  EXPECT_EQ(DeclaredCharset(bytes), "utf-16le");
  DecodedText d = DecodeToUtf8(bytes);
  EXPECT_EQ(d.utf8, ascii);
  EXPECT_EQ(d.charset, "utf-16le");
}

TEST(Charset, Utf16LabelWithoutBomTakesTheByteOrderFromTheBytes) {
  std::string be("\0H\0i\0 \0t\0h\0e\0r\0e", 16);
  DecodedText d = DecodeToUtf8(be, "utf-16");
  EXPECT_EQ(d.utf8, "Hi there");
  EXPECT_EQ(d.charset, "utf-16be");
  EXPECT_EQ(d.evidence, "http");
}

TEST(Charset, ValidUtf8WinsOverAWrongLatin1Label) {
  std::string doc = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><p>Ærøskøbing café</p>";
  DecodedText d = DecodeToUtf8(doc, "iso-8859-1");
  EXPECT_EQ(d.utf8, doc);
  EXPECT_EQ(d.charset, "utf-8");
  EXPECT_EQ(d.evidence, "valid-utf8");
}

TEST(Charset, Latin1LabelDecodesAsWindows1252) {
  DecodedText d = DecodeToUtf8(
      "caf\xE9 \x80"
      "5 \x93quoted\x94",
      "ISO-8859-1");
  EXPECT_EQ(d.utf8, "café €5 “quoted”");
  EXPECT_EQ(d.charset, "windows-1252");
  EXPECT_EQ(d.evidence, "http");
  EXPECT_EQ(d.replaced, 0);
}

TEST(Charset, UsAsciiLabelDecodesAsWindows1252) {
  DecodedText d = DecodeToUtf8("na\xEFve", "us-ascii");
  EXPECT_EQ(d.utf8, "naïve");
  EXPECT_EQ(d.charset, "windows-1252");
}

TEST(Charset, HttpCharsetBeatsTheDocumentsDeclaration) {
  std::string doc = std::string("<meta charset=\"windows-1252\"><p>") + kKoi8r + "</p>";
  DecodedText d = DecodeToUtf8(doc, "\"KOI8-R\"");
  EXPECT_EQ(d.charset, "koi8-r");
  EXPECT_EQ(d.evidence, "http");
  EXPECT_NE(d.utf8.find(kRussianUtf8), std::string::npos);
}

TEST(Charset, XmlPrologDeclarationIsUsed) {
  std::string doc = "<?xml version='1.0' encoding='windows-1252'?><t>Caf\xE9 \x96 ok</t>";
  DecodedText d = DecodeToUtf8(doc);
  EXPECT_EQ(d.utf8, "<?xml version='1.0' encoding='windows-1252'?><t>Café – ok</t>");
  EXPECT_EQ(d.charset, "windows-1252");
  EXPECT_EQ(d.evidence, "declared");
}

TEST(Charset, HtmlHttpEquivDeclarationIsUsed) {
  std::string doc = std::string(
                        "<html><head><meta http-equiv=\"Content-Type\" "
                        "content=\"text/html; charset=koi8-r\"></head><body>") +
                    kKoi8r + "</body></html>";
  DecodedText d = DecodeToUtf8(doc);
  EXPECT_EQ(d.charset, "koi8-r");
  EXPECT_EQ(d.evidence, "declared");
  EXPECT_NE(d.utf8.find(kRussianUtf8), std::string::npos);
}

TEST(Charset, Koi8rWithoutLabelIsDetected) {
  DecodedText d = DecodeToUtf8(kKoi8r);
  EXPECT_EQ(d.charset, "koi8-r");
  EXPECT_EQ(d.evidence, "detected");
  EXPECT_EQ(d.utf8, kRussianUtf8);
}

TEST(Charset, UnknownLabelFallsBackToDetection) {
  DecodedText d = DecodeToUtf8(kKoi8r, "x-no-such-charset");
  EXPECT_EQ(d.charset, "koi8-r");
  EXPECT_EQ(d.evidence, "detected");
}

TEST(Charset, UndetectableBytesFallBackToWindows1252) {
  DecodedText d = DecodeToUtf8("\xE9");
  EXPECT_TRUE(IsValidUtf8(d.utf8));
  EXPECT_FALSE(d.utf8.empty());
  EXPECT_TRUE(d.evidence == "detected" || d.evidence == "fallback") << d.evidence;
}

TEST(Charset, DeclaredUtf8WithBadBytesIsRepairedAndCounted) {
  DecodedText d = DecodeToUtf8("<meta charset=utf-8>ok \xFF\xFE bad", "utf-8");
  EXPECT_TRUE(IsValidUtf8(d.utf8));
  EXPECT_EQ(d.charset, "utf-8");
  EXPECT_EQ(d.replaced, 2);
  EXPECT_NE(d.utf8.find("ok \xEF\xBF\xBD\xEF\xBF\xBD bad"), std::string::npos);
}

TEST(Charset, UnmappableBytesAreCounted) {
  // 0x98 is unassigned in Shift_JIS lead position alone at the end.
  DecodedText d = DecodeToUtf8("abc \x82", "shift_jis");
  EXPECT_TRUE(IsValidUtf8(d.utf8));
  EXPECT_EQ(d.charset, "shift_jis");
  EXPECT_GE(d.replaced, 1);
}

TEST(Charset, TextIsNeverDecodedTwice) {
  std::string cp1252 = "<?xml version=\"1.0\" encoding=\"windows-1252\"?><t>caf\xE9</t>";
  DecodedText once = DecodeToUtf8(cp1252);
  DecodedText twice = DecodeToUtf8(once.utf8);
  EXPECT_EQ(twice.utf8, once.utf8);
  EXPECT_EQ(twice.evidence, "valid-utf8");
  EXPECT_NE(once.utf8.find("café"), std::string::npos);
}

TEST(Charset, DeclaredCharsetReadsPrologAndMeta) {
  EXPECT_EQ(DeclaredCharset("<?xml version=\"1.0\" encoding=\"Windows-1251\"?><rss/>"),
            "windows-1251");
  EXPECT_EQ(DeclaredCharset("\xEF\xBB\xBF <?xml version='1.0' encoding = 'KOI8-R' ?>"), "koi8-r");
  EXPECT_EQ(DeclaredCharset("<!doctype html><html><head><META CHARSET=\"Shift_JIS\">"),
            "shift_jis");
  EXPECT_EQ(DeclaredCharset("<head><meta http-equiv=\"content-type\" content='text/html; "
                            "charset=ISO-8859-2'></head>"),
            "iso-8859-2");
  EXPECT_EQ(DeclaredCharset("<?xml version=\"1.0\"?><rss/>"), "");
  EXPECT_EQ(DeclaredCharset("plain text mentioning charset=utf-8 outside a tag"), "");
  // Only the first 2 KB are read.
  EXPECT_EQ(DeclaredCharset(std::string(3000, ' ') + "<meta charset=koi8-r>"), "");
}

TEST(Charset, ModernLabelsMapToSupersets) {
  DecodedText gbk = DecodeToUtf8("\xD6\xD0\xCE\xC4", "gb2312");  // 中文
  EXPECT_EQ(gbk.utf8, "中文");
  EXPECT_EQ(gbk.charset, "gb18030");
}

TEST(Charset, OutputIsAlwaysValidUtf8) {
  const std::string inputs[] = {std::string("\x00\xFF\xFE\x80", 4),
                                "\xC0\xAF",
                                "\xED\xA0\x80",
                                "\xF4\x90\x80\x80",
                                std::string("\xFE\xFF\xD8\x00", 4),
                                std::string("\xFF\xFE\x00", 3),
                                "\x1B$B\x30\x21"};
  for (const auto& in : inputs) {
    for (const char* label : {"", "utf-8", "iso-2022-jp", "utf-16", "koi8-r", "bogus"}) {
      DecodedText d = DecodeToUtf8(in, label);
      EXPECT_TRUE(IsValidUtf8(d.utf8)) << label;
      EXPECT_FALSE(d.charset.empty());
      EXPECT_FALSE(d.evidence.empty());
    }
  }
}

}  // namespace
}  // namespace storyline
