// Name pools of the synthetic district: townships, communities, roads, compounds, people and
// organisations of Taizhou 海陵区 as they look in real registers (invented, not copied).
#include "detail/synth_internal.hpp"

#include <algorithm>

namespace grid::synth::detail {

std::string chinese_number(int n) {
    static const char* const digits[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    if (n <= 0 || n > 99) {
        return std::to_string(n);
    }
    if (n < 10) {
        return digits[n];
    }
    std::string out = n / 10 == 1 ? "" : digits[n / 10];
    out += "十";
    if (n % 10 != 0) {
        out += digits[n % 10];
    }
    return out;
}

// --- townships ------------------------------------------------------------------------------------

Township township_name(int k, std::uint64_t seed) {
    // 京泰路街道 is 321202007 in the NBS table; the others are plausible neighbours.
    static const std::vector<std::pair<int, const char*>> fixed = {
        {7, "京泰路街道"},   {1, "城东街道"},   {2, "城西街道"},   {3, "城南街道"},   {4, "城北街道"},
        {5, "城中街道"},     {6, "红旗街道"},   {8, "凤凰街道"},   {9, "东风街道"},   {10, "鼓楼街道"},
        {11, "梅兰街道"},    {12, "迎春街道"},  {13, "济川街道"},  {100, "九龙镇"},   {101, "罡杨镇"},
        {102, "苏陈镇"},     {103, "华港镇"},   {104, "泰东镇"},   {105, "塘湾镇"},   {106, "寺巷镇"},
        {107, "野徐镇"},     {108, "娄庄镇"},   {109, "沈高镇"},   {110, "大泗镇"},   {111, "白米镇"},
        {112, "淤溪镇"},     {113, "溱潼镇"},   {114, "俞垛镇"},   {115, "兴泰镇"},   {116, "蒋垛镇"},
        {117, "顾高镇"},     {118, "张甸镇"},   {119, "梁徐镇"},   {120, "桥头镇"},
    };
    if (k < static_cast<int>(fixed.size())) {
        return {fixed[static_cast<std::size_t>(k)].first, fixed[static_cast<std::size_t>(k)].second};
    }
    // Beyond the list: more streets (014-099), then towns (121-199), named from the community pool.
    const int extra = k - static_cast<int>(fixed.size());
    NamePool pool = community_names(derive(seed, 0x7057, 0));
    std::string base;
    for (int i = 0; i <= extra; ++i) {
        base = pool.next();
    }
    if (extra < 86) {
        return {14 + extra, base + "街道"};
    }
    return {121 + (extra - 86), base + "镇"};
}

// --- name pools -----------------------------------------------------------------------------------

NamePool::NamePool(std::vector<std::string> first, std::vector<std::string> pool, std::vector<std::string> qualifiers,
                   std::uint64_t seed)
    : m_first(std::move(first)), m_pool(std::move(pool)), m_qualifiers(std::move(qualifiers)) {
    // Names in `first` are not drawn again from the pool.
    m_pool.erase(std::remove_if(m_pool.begin(), m_pool.end(),
                                [&](const std::string& s) {
                                    return std::find(m_first.begin(), m_first.end(), s) != m_first.end();
                                }),
                 m_pool.end());
    Rng rng(seed);
    rng.shuffle(m_pool);
    if (m_qualifiers.empty()) {
        m_qualifiers.emplace_back();
    }
}

std::string NamePool::next() {
    if (m_next_first < m_first.size()) {
        return m_first[m_next_first++];
    }
    const std::size_t i = m_index++;
    const std::size_t n = m_pool.size();
    const std::size_t round = i / n;
    std::string name = m_pool[i % n];
    if (round < m_qualifiers.size()) {
        return name + m_qualifiers[round];
    }
    return name + m_qualifiers.front() + chinese_number(static_cast<int>(round - m_qualifiers.size()) + 2);
}

namespace {

std::vector<std::string> words(std::initializer_list<const char*> list) { return {list.begin(), list.end()}; }

} // namespace

NamePool community_names(std::uint64_t seed) {
    return NamePool(
        words({"十里铺"}),
        words({"迎春", "春晖", "东风", "梧桐", "鼓楼", "凤凰", "翠竹", "东进", "莲花", "鲍徐", "东城", "西仓",
               "闸南", "森南", "招贤", "景光", "安居", "林机", "江洲", "海光", "海阳", "兴业", "唐楼", "头营",
               "任景", "九里", "韵梅", "麒麟", "东安", "东康", "斜桥", "育才", "老东河", "宫涵", "鲍坝", "智堡",
               "周山河", "稻河", "五一", "永定", "凤城河", "税东", "八字桥", "涵西", "南山寺", "青年", "人民",
               "济川", "梅兰", "泰山", "光孝", "藕花", "府前", "西郊", "北郊", "南郊", "塔院", "草河", "卤汀",
               "溪桥", "迎江", "滨江", "柳园", "桃园", "杏林", "杨庄", "王庄", "李庄", "周庄", "孙庄", "新河",
               "新街", "新华", "新民", "建设", "解放", "胜利", "友谊", "团结", "幸福", "和平", "光明", "振兴",
               "文昌", "华庭", "锦绣", "明珠", "天德", "泰和", "兴泰", "永泰", "龙园", "百合", "桂花", "玉兰",
               "紫荆", "丽华", "世纪", "嘉和", "瑞祥", "福康", "万福", "长春", "长乐", "长安", "红星", "向阳",
               "东升", "朝阳", "晓庄", "北园", "南园", "西园", "东园", "中和", "清河", "白马", "高桥", "石桥",
               "双桥", "五里", "三里", "七里", "桥头", "河东", "河西", "港口", "码头", "仓口", "渔行", "盐仓",
               "梅园", "竹园", "松林", "枫林", "春兰", "许庄", "鲍家", "陈庄", "丁庄", "吴庄", "通扬", "宁靖",
               "金港", "银杏", "海棠", "芙蓉", "牡丹", "月季", "荷花", "城河", "老街", "望海", "中坝"}),
        words({"", "东", "西", "南", "北", "新", "中"}), seed);
}

NamePool road_names(bool north_south, std::uint64_t seed) {
    // Real-sounding Taizhou road bases; north-south roads get 北路/南路, east-west 西路/东路.
    std::vector<std::string> first = north_south
                                         ? words({"海陵", "青年", "鼓楼", "东风", "江洲", "永定", "海光", "工人"})
                                         : words({"迎春", "济川", "东进", "人民", "凤凰", "梅兰", "五一", "春晖"});
    std::vector<std::string> pool = words(
        {"稻河", "税务", "扬州", "泰山", "光孝", "藕花", "府前", "坡子", "涵东", "渔行", "城河", "周山河", "南山",
         "天德", "泰和", "兴泰", "九龙", "永泰", "龙园", "百合", "桂花", "玉兰", "紫荆", "华庭", "世纪", "嘉和",
         "瑞祥", "福康", "长春", "长乐", "长安", "向阳", "东升", "朝阳", "清河", "白马", "高桥", "石桥", "双桥",
         "梅园", "竹园", "松林", "柏林", "枫林", "银杏", "金港", "通扬", "宁靖", "盐靖", "姜堰", "兴化", "靖江",
         "泰兴", "高港", "口岸", "刁铺", "寺巷", "野徐", "苏陈", "罡杨", "华港", "塘湾", "娄庄", "沈高", "溱湖",
         "凤凰河", "望海", "中坝", "西仓", "北仓", "南仓", "东仓", "盐运", "漕运", "通江", "引江", "永丰", "新华",
         "解放", "建设", "胜利", "友谊", "团结", "幸福", "和平", "光明", "振兴", "文昌", "学院", "医药", "药城",
         "智堡", "春兰", "许庄", "鲍徐", "莲花", "翠竹", "韵梅", "麒麟", "江平", "海阳", "兴业", "迎江", "滨江",
         "卤汀", "草河", "塔院", "溪桥", "柳园", "桃园", "杏林", "安居", "育才", "斜桥", "宫涵", "老东河"});
    return NamePool(std::move(first), std::move(pool), words({"", "新"}), seed);
}

NamePool compound_names(std::uint64_t seed) {
    static const char* const prefixes[] = {
        "翠竹", "凤凰", "春晖", "梅兰", "锦绣", "阳光", "明珠", "御景", "碧水", "金色", "天德", "稻河", "泰和",
        "兴泰", "九龙", "永泰", "鼓楼", "东进", "龙园", "百合", "桂花", "玉兰", "紫荆", "丽华", "新城", "世纪",
        "嘉和", "华庭", "瑞祥", "福康", "万福", "长春", "向阳", "东升", "朝阳", "清华", "银杏", "香樟", "海棠",
        "芙蓉", "牡丹", "月季", "荷花", "莲花", "梧桐", "杏林", "桃园", "柳园", "松林", "竹园", "梅园", "兰亭",
        "雅居", "康居", "安居", "乐居", "怡景", "丽景", "美景", "江南", "水岸", "湖畔", "河畔", "滨河", "城市",
        "都市", "盛世", "锦华", "金鹰", "金港", "银河", "星河", "天水", "春江", "秋月", "映山", "观澜", "怡和",
        "祥和", "和美", "东方", "南山", "西城", "北城", "泰山", "光孝", "藕花", "府前", "凤城", "海陵"};
    static const char* const suffixes[] = {"小区", "苑", "园", "花园", "公寓", "新村",
                                           "家园", "嘉园", "名苑", "华府", "雅苑", "佳苑"};
    std::vector<std::string> pool;
    for (const char* p : prefixes) {
        for (const char* s : suffixes) {
            pool.push_back(std::string(p) + s);
        }
    }
    return NamePool({}, std::move(pool),
                    words({"", "一期", "二期", "三期", "东区", "西区", "南区", "北区", "四期", "五期", "六期"}), seed);
}

// --- people ---------------------------------------------------------------------------------------

namespace {

// Common surnames of Jiangsu first (picked with a bias to the front of the list).
const char* const k_surnames[] = {
    "王", "陈", "张", "李", "刘", "徐", "朱", "周", "吴", "孙", "杨", "黄", "顾", "沈", "钱", "赵", "丁", "高",
    "陆", "蒋", "胡", "马", "郭", "何", "许", "姚", "潘", "戴", "曹", "韩", "范", "袁", "储", "卢", "冯", "缪",
    "季", "汪", "邱", "夏", "叶", "严", "唐", "宋", "程", "邵", "殷", "仲", "蔡", "宗", "翟", "薛", "卞", "封",
    "于", "董", "田", "任", "吕", "谢", "梁", "郑", "罗", "林", "彭", "曾", "肖", "邓", "魏", "石", "龚", "钟",
    "单", "刁", "祁", "鲍", "秦", "尤", "焦", "葛", "方", "俞", "万", "毛", "孔", "华", "金", "倪", "陶", "汤"};
const char* const k_male[] = {"伟", "强", "军", "磊", "勇", "杰", "涛", "斌", "超", "明", "华", "建", "国", "平",
                              "刚", "辉", "鹏", "俊", "峰", "宇", "浩", "凯", "健", "林", "文", "东", "海", "波",
                              "亮", "晨", "阳", "飞", "鑫", "毅", "龙", "成", "志", "春", "金", "祥", "荣", "兵",
                              "新", "庆", "德", "永", "宏", "家", "子", "轩", "博", "睿", "泽", "昊", "然", "铭",
                              "宁", "彬", "锋", "卫", "忠", "良", "正", "顺", "安", "清", "松", "柏", "川", "江"};
const char* const k_female[] = {"芳", "娟", "敏", "静", "丽", "艳", "霞", "燕", "玲", "婷", "雪", "慧", "红", "梅",
                                "兰", "萍", "琴", "云", "洁", "莉", "颖", "倩", "欣", "怡", "璐", "佳", "悦", "琳",
                                "晶", "蕾", "丹", "秀", "英", "凤", "桂", "玉", "珍", "雯", "涵", "萱", "诗", "梦",
                                "思", "雨", "月", "晓", "春", "亚", "美", "彤", "妍", "菲", "露", "媛", "娜", "琪"};

template <std::size_t N>
const char* pick(Rng& rng, const char* const (&list)[N]) {
    return list[rng.below(N)];
}

} // namespace

std::string person_name(Rng& rng, bool male) {
    // Square of a uniform number: the first surnames are the most frequent, as in real registers.
    const double r = rng.real();
    std::string name = k_surnames[static_cast<std::size_t>(r * r * static_cast<double>(std::size(k_surnames)))];
    if (male) {
        name += pick(rng, k_male);
        if (rng.chance(0.7)) {
            name += pick(rng, k_male);
        }
    } else {
        name += pick(rng, k_female);
        if (rng.chance(0.7)) {
            name += pick(rng, k_female);
        }
    }
    return name;
}

std::string phone_number(Rng& rng) {
    static const int prefixes[] = {130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155,
                                   156, 157, 158, 159, 166, 173, 177, 180, 181, 182, 183, 184, 185, 186, 187,
                                   188, 189, 191, 195, 198, 199};
    std::string s = std::to_string(prefixes[rng.below(std::size(prefixes))]);
    for (int i = 0; i < 8; ++i) {
        s += static_cast<char>('0' + rng.below(10));
    }
    return s;
}

// --- organisations ------------------------------------------------------------------------------

std::string org_name(std::uint64_t index, bool company) {
    static const char* const chars[] = {"鑫", "源", "恒", "达", "华", "盛", "佳", "美", "金", "诚", "永", "兴",
                                        "宏", "远", "顺", "发", "利", "民", "福", "润", "通", "泰", "安", "康",
                                        "盈", "丰", "祥", "瑞", "嘉", "禾", "和", "信", "德", "隆", "昌", "荣",
                                        "旺", "新", "天", "益", "合", "成", "海", "创", "博", "立", "正", "明",
                                        "星", "辰", "宇", "欣", "悦", "凯", "晟", "骏", "腾", "汇", "聚", "尚"};
    struct Trade {
        const char* company; // 有限公司 form
        const char* shop;    // 个体工商户 form
    };
    static const Trade trades[] = {
        {"商贸有限公司", "商行"},         {"餐饮管理有限公司", "饭店"},   {"五金机电有限公司", "五金店"},
        {"建材有限公司", "建材商店"},     {"电器销售有限公司", "电器商行"}, {"服饰有限公司", "服装店"},
        {"食品有限公司", "食品店"},       {"超市有限公司", "便利店"},     {"大药房有限公司", "药店"},
        {"美容美发有限公司", "理发店"},   {"洗涤服务有限公司", "洗衣店"}, {"装饰工程有限公司", "装潢部"},
        {"信息科技有限公司", "打印店"},   {"文化传媒有限公司", "书店"},   {"家政服务有限公司", "家政服务部"},
        {"汽车服务有限公司", "汽车修理部"}, {"眼镜有限公司", "眼镜店"},   {"母婴用品有限公司", "母婴店"},
        {"茶业有限公司", "茶叶店"},       {"烟酒商贸有限公司", "烟酒店"}, {"果业有限公司", "水果店"},
        {"面业有限公司", "面馆"},         {"花艺有限公司", "花店"},       {"健身服务有限公司", "健身房"},
        {"通讯器材有限公司", "手机店"},   {"粮油有限公司", "粮油店"},     {"酒店管理有限公司", "旅馆"},
        {"教育咨询有限公司", "托管班"},   {"物业管理有限公司", "维修部"}, {"快递服务有限公司", "快递点"}};
    constexpr std::uint64_t n_chars = std::size(chars);
    constexpr std::uint64_t n_trades = std::size(trades);
    // A mixed-radix reading of a scrambled index: distinct indices give distinct names.
    constexpr std::uint64_t space = n_chars * n_chars * n_trades;
    const std::uint64_t k = (index % space * 7919 + 104729) % space; // 7919 is prime and does not divide space
    const std::uint64_t round = index / space;
    const std::uint64_t c1 = k % n_chars;
    const std::uint64_t c2 = (k / n_chars) % n_chars;
    const std::uint64_t t = k / (n_chars * n_chars);
    std::string brand = std::string(chars[c1]) + chars[c2];
    if (round > 0) {
        brand += chinese_number(static_cast<int>(round % 99) + 1);
    }
    return company ? "泰州市海陵区" + brand + trades[t].company : "海陵区" + brand + trades[t].shop;
}

} // namespace grid::synth::detail
