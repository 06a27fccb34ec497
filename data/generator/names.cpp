#include "names.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <utility>

namespace gridtwin::generator {

namespace {

using namespace std::string_view_literals;

struct Weighted {
  std::string_view text;
  double weight;
};

// Builds a WeightedTable over a static table once.
template <std::size_t N>
WeightedTable tableOf(const Weighted (&entries)[N]) {
  std::vector<double> w;
  w.reserve(N);
  for (const auto& e : entries) w.push_back(e.weight);
  return WeightedTable(w);
}

template <class Container>
std::string_view uniformPick(Rng& rng, const Container& items) {
  return items[static_cast<std::size_t>(rng.below(std::size(items)))];
}

// --- people ----------------------------------------------------------------

// Surnames with weights (per mille, roughly): Guangdong's distribution, with
// the Pearl River Delta's Cantonese surnames (梁 何 冯 麦 区 关 霍 招 冼 岑)
// higher than nationally, plus the migrants' northern ones (王 张 刘 杨).
constexpr Weighted kSurnames[] = {
    {"陈", 92},    {"李", 68}, {"黄", 60}, {"梁", 52}, {"何", 34},  {"张", 33},  {"刘", 30},
    {"罗", 24},    {"林", 24}, {"吴", 23}, {"冯", 20}, {"麦", 13},  {"伍", 9},   {"关", 11},
    {"区", 8},     {"潘", 15}, {"郭", 12}, {"周", 13}, {"谭", 14},  {"卢", 14},  {"王", 22},
    {"杨", 18},    {"郑", 14}, {"谢", 13}, {"叶", 13}, {"邓", 13},  {"苏", 11},  {"曾", 12},
    {"朱", 10},    {"钟", 10}, {"蔡", 9},  {"许", 9},  {"余", 9},   {"霍", 8},   {"招", 5},
    {"冼", 5},     {"岑", 5},  {"邝", 4},  {"简", 4},  {"植", 2},   {"庞", 5},   {"陆", 7},
    {"莫", 7},     {"孔", 4},  {"邵", 3},  {"康", 3},  {"龙", 4},   {"袁", 6},   {"彭", 6},
    {"胡", 7},     {"高", 5},  {"赵", 6},  {"孙", 4},  {"马", 5},   {"徐", 6},   {"江", 5},
    {"温", 5},     {"方", 4},  {"严", 3},  {"杜", 3},  {"韦", 5},   {"黎", 7},   {"廖", 6},
    {"欧", 4},     {"甘", 3},  {"蒋", 3},  {"姚", 3},  {"邹", 3},   {"吕", 2},   {"汤", 3},
    {"程", 2},     {"石", 3},  {"傅", 2},  {"唐", 5},  {"曹", 3},   {"邱", 4},   {"丘", 2},
    {"沈", 2},     {"宋", 3},  {"阮", 3},  {"戴", 2},  {"连", 2},   {"车", 1},   {"祝", 1},
    {"萧", 3},     {"肖", 4},  {"任", 2},  {"崔", 2},  {"贺", 1},   {"龚", 2},   {"熊", 2},
    {"颜", 2},     {"利", 2},  {"凌", 2},  {"骆", 2},  {"古", 2},   {"文", 2},   {"姜", 1},
    {"范", 2},     {"田", 2},  {"白", 1},  {"易", 2},  {"欧阳", 3}, {"司徒", 2}, {"上官", 0.3},
    {"诸葛", 0.2}, {"卓", 1},  {"刁", 1},  {"佘", 1},
};

constexpr std::string_view kMaleChars[] = {
    "伟", "明", "强", "俊", "杰", "志", "健", "华", "文", "国", "建", "荣", "辉", "浩",
    "锦", "峰", "家", "嘉", "德", "永", "耀", "振", "冠", "宏", "英", "坤", "泽", "宇",
    "轩", "豪", "子", "铭", "昊", "晖", "彬", "斌", "涛", "勇", "军", "海", "城", "亮",
    "聪", "锋", "楷", "灿", "炜", "源", "焯", "棠", "洪", "沛", "乐", "鸿", "展", "达",
    "庆", "兆", "燊", "樑", "韬", "锐", "柏", "朗", "骏", "熙", "梓", "睿", "晋", "超",
    "成", "钊", "均", "权", "镇", "添", "培", "汉", "祥", "立", "航", "博", "瀚", "奕"};

constexpr std::string_view kFemaleChars[] = {
    "敏", "婷", "欣", "慧", "丽", "美", "霞", "玲", "芳", "燕", "娟", "颖", "琳", "静",
    "雯", "诗", "嘉", "晓", "淑", "秀", "凤", "翠", "萍", "洁", "莹", "倩", "妍", "思",
    "韵", "佩", "瑜", "怡", "婉", "碧", "月", "桂", "彩", "少", "咏", "楚", "紫", "悦",
    "蕾", "蓓", "雅", "琪", "珊", "璇", "珍", "玉", "红", "艳", "梅", "兰", "英", "琼",
    "惠", "彤", "晴", "妙", "欢", "蔚", "宁", "茵", "芷", "若", "曦", "桐", "瑶", "菲",
    "婧", "莉", "蓉", "嫦", "好", "卿", "凝", "秋", "舒", "丹", "宜", "可", "心", "梓"};

// A quarter of two-character given names share a first character used by
// both sexes (a generation or family character).
constexpr std::string_view kSharedChars[] = {"嘉", "子", "家", "晓", "志", "少", "国", "锦",
                                             "永", "文", "卓", "梓", "海", "慧", "诗", "俊"};

const WeightedTable& surnameTable() {
  static const WeightedTable table = tableOf(kSurnames);
  return table;
}

// --- phones ----------------------------------------------------------------

// Three-digit carrier prefixes; China Mobile's dominate in Guangdong.
constexpr Weighted kMobilePrefixes[] = {
    {"134", 3}, {"135", 5}, {"136", 5}, {"137", 5},   {"138", 6}, {"139", 6},   {"147", 1},
    {"150", 4}, {"151", 3}, {"152", 3}, {"157", 2},   {"158", 4}, {"159", 4},   {"178", 2},
    {"182", 3}, {"183", 2}, {"184", 1}, {"187", 3},   {"188", 3}, {"195", 1},   {"198", 2},
    {"130", 2}, {"131", 2}, {"132", 2}, {"155", 2},   {"156", 2}, {"166", 1},   {"175", 1},
    {"176", 1}, {"185", 2}, {"186", 3}, {"196", 0.5}, {"133", 2}, {"149", 0.5}, {"153", 2},
    {"173", 1}, {"177", 1}, {"180", 2}, {"181", 2},   {"189", 3}, {"190", 0.5}, {"191", 1},
    {"193", 1}, {"199", 2},
};

// --- entities --------------------------------------------------------------

constexpr std::string_view wCeramic[] = {"陶瓷", "建筑陶瓷", "陶瓷科技", "瓷砖"};
constexpr std::string_view sCeramic[] = {"陶瓷店", "瓷砖商行", "陶瓷经营部"};
constexpr std::string_view wTextile[] = {"纺织", "针织", "织造", "纺织科技"};
constexpr std::string_view sTextile[] = {"针织厂", "织布厂", "纺织品商行"};
constexpr std::string_view wGarment[] = {"服装", "服饰", "制衣"};
constexpr std::string_view sGarment[] = {"服装店", "制衣厂", "服饰店"};
constexpr std::string_view wMetal[] = {"五金制品", "金属制品", "不锈钢制品", "铝业"};
constexpr std::string_view sMetal[] = {"五金店", "五金加工厂", "不锈钢加工店"};
constexpr std::string_view wMachine[] = {"机械设备", "机电设备", "自动化设备"};
constexpr std::string_view sMachine[] = {"机械维修店", "机电经营部"};
constexpr std::string_view wElectric[] = {"电器", "电子科技", "照明电器"};
constexpr std::string_view sElectric[] = {"电器店", "家电维修店"};
constexpr std::string_view wFurniture[] = {"家具", "家居用品"};
constexpr std::string_view sFurniture[] = {"家具店", "家具厂"};
constexpr std::string_view wBuildMat[] = {"建材", "装饰材料", "卫浴"};
constexpr std::string_view sBuildMat[] = {"建材店", "装饰材料商行"};
constexpr std::string_view wChemical[] = {"化工", "涂料", "新材料"};
constexpr std::string_view sChemical[] = {"化工原料经营部"};
constexpr std::string_view wPlastic[] = {"塑料制品", "塑胶", "包装制品"};
constexpr std::string_view sPlastic[] = {"塑料加工厂", "包装材料店"};
constexpr std::string_view wFood[] = {"食品", "调味食品", "饮料"};
constexpr std::string_view sFood[] = {"食品加工场", "饼家", "腊味加工店"};
constexpr std::string_view wCatering[] = {"餐饮管理", "餐饮服务", "饮食"};
constexpr std::string_view sCatering[] = {"餐饮店", "饭店",   "粥粉面店", "烧腊店",
                                          "茶餐厅", "小食店", "大排档",   "糖水店"};
constexpr std::string_view wRetail[] = {"商贸", "百货", "超市"};
constexpr std::string_view sRetail[] = {"士多店", "便利店", "商行", "百货店", "日用品店", "水果店"};
constexpr std::string_view wWholesale[] = {"贸易", "商贸", "供应链管理"};
constexpr std::string_view sWholesale[] = {"批发部", "贸易商行"};
constexpr std::string_view wLogistics[] = {"物流", "货运", "仓储服务"};
constexpr std::string_view sLogistics[] = {"货运部", "搬运服务部"};
constexpr std::string_view wRealEstate[] = {"房地产开发", "房地产代理"};
constexpr std::string_view sRealEstate[] = {"房产中介服务部"};
constexpr std::string_view wConstruction[] = {"建筑工程", "建设工程", "装饰工程"};
constexpr std::string_view sConstruction[] = {"装修工程部", "水电安装部"};
constexpr std::string_view wProperty[] = {"物业管理", "物业服务"};
constexpr std::string_view sProperty[] = {"清洁服务部"};
constexpr std::string_view wTech[] = {"信息科技", "网络科技", "软件"};
constexpr std::string_view sTech[] = {"电脑维修店", "网络服务部"};
constexpr std::string_view wBusiness[] = {"企业管理咨询", "广告", "商务服务"};
constexpr std::string_view sBusiness[] = {"图文广告店", "打印店"};
constexpr std::string_view wEducation[] = {"教育咨询", "文化传播"};
constexpr std::string_view sEducation[] = {"培训中心", "托管中心"};
constexpr std::string_view wHealth[] = {"医疗器械", "医药", "健康管理"};
constexpr std::string_view sHealth[] = {"大药房", "诊所", "推拿馆"};
constexpr std::string_view wBeauty[] = {"美容", "美发"};
constexpr std::string_view sBeauty[] = {"发型屋", "美容店", "美甲店"};
constexpr std::string_view wLodging[] = {"酒店管理", "酒店"};
constexpr std::string_view sLodging[] = {"旅馆", "民宿"};
constexpr std::string_view wAuto[] = {"汽车销售", "汽车服务", "汽车配件"};
constexpr std::string_view sAuto[] = {"汽车维修店", "洗车店", "汽车美容店"};
constexpr std::string_view wCulture[] = {"文化发展", "文化创意", "工艺品"};
constexpr std::string_view sCulture[] = {"工艺品店", "陶艺工作室"};

// Shares: rough Chancheng mix; retail and catering are mostly individual
// businesses, manufacturing mostly companies (石湾/南庄 ceramics, 张槎 knitting).
constexpr Industry kIndustries[] = {
    {"陶瓷", 5, 0.25, true, wCeramic, sCeramic},
    {"纺织", 5, 0.35, true, wTextile, sTextile},
    {"服装", 3, 0.5, true, wGarment, sGarment},
    {"金属制品", 5, 0.35, true, wMetal, sMetal},
    {"机械设备", 3, 0.2, true, wMachine, sMachine},
    {"电子电器", 3, 0.3, true, wElectric, sElectric},
    {"家具", 2, 0.4, true, wFurniture, sFurniture},
    {"建材", 4, 0.45, true, wBuildMat, sBuildMat},
    {"化工", 1, 0.1, true, wChemical, sChemical},
    {"塑料制品", 2, 0.3, true, wPlastic, sPlastic},
    {"食品加工", 2, 0.4, true, wFood, sFood},
    {"餐饮", 14, 0.85, false, wCatering, sCatering},
    {"零售", 20, 0.8, false, wRetail, sRetail},
    {"批发", 8, 0.45, false, wWholesale, sWholesale},
    {"物流", 4, 0.3, false, wLogistics, sLogistics},
    {"房地产", 1.5, 0.1, false, wRealEstate, sRealEstate},
    {"建筑", 2.5, 0.2, false, wConstruction, sConstruction},
    {"物业管理", 1.5, 0.1, false, wProperty, sProperty},
    {"信息技术", 3, 0.2, false, wTech, sTech},
    {"商务服务", 5, 0.35, false, wBusiness, sBusiness},
    {"教育培训", 2, 0.3, false, wEducation, sEducation},
    {"医疗健康", 2, 0.4, false, wHealth, sHealth},
    {"美容美发", 3, 0.9, false, wBeauty, sBeauty},
    {"汽车服务", 2.5, 0.6, false, wAuto, sAuto},
    {"住宿", 1.5, 0.5, false, wLodging, sLodging},
    {"文化创意", 1.5, 0.4, false, wCulture, sCulture},
};

// Trade-name characters (字号): auspicious, as Foshan firms choose them.
constexpr std::string_view kTradeChars[] = {
    "恒", "达", "宏", "盛", "华", "兴", "利", "发", "鸿", "泰", "富", "源", "金", "顺", "隆",
    "昌", "安", "信", "德", "广", "新", "永", "嘉", "荣", "佳", "创", "汇", "丰", "通", "美",
    "旺", "强", "威", "骏", "捷", "星", "辉", "瑞", "锦", "诚", "誉", "豪", "联", "展", "科",
    "博", "宝", "运", "合", "力", "豐", "禾", "基", "业", "昇", "润", "晟", "弘", "逸", "翔"};

// Place words that Foshan firms put in front of their trade name.
constexpr std::string_view kPlaceWords[] = {"禅城", "石湾", "南庄", "张槎", "祖庙", "澜石",
                                            "季华", "汾江", "岭南", "佛禅", "南风", "绿岛"};

constexpr std::string_view kStreets[] = {"祖庙街道", "石湾镇街道", "张槎街道", "南庄镇"};

const WeightedTable& industryTable() {
  static const WeightedTable table = [] {
    std::vector<double> w;
    for (const auto& i : kIndustries) w.push_back(i.weight);
    return WeightedTable(w);
  }();
  return table;
}

void appendTradeName(Rng& rng, std::string& out) {
  if (rng.chance(0.12)) out += uniformPick(rng, kPlaceWords);
  const std::size_t a = static_cast<std::size_t>(rng.below(std::size(kTradeChars)));
  std::size_t b = static_cast<std::size_t>(rng.below(std::size(kTradeChars) - 1));
  if (b >= a) ++b;  // two different characters
  out += kTradeChars[a];
  out += kTradeChars[b];
}

// --- roads -----------------------------------------------------------------

// Stems of real Chancheng / Foshan road names, and a few generic ones.
constexpr std::string_view kRoadStems[] = {
    "汾江", "季华", "绿景", "岭南", "朝安", "卫国", "人民", "祖庙", "石湾",   "南庄", "张槎",
    "澜石", "魁奇", "佛平", "同济", "文华", "江湾", "公正", "建设", "城门头", "普君", "亲仁",
    "升平", "福贤", "锦华", "华远", "文昌", "莲花", "湖景", "轻工", "雾岗",   "影荫", "新风",
    "东平", "南浦", "塘头", "环市", "佛罗", "禅西", "镇中", "深村", "吉利",   "罗格", "紫洞",
    "兆祥", "兴华", "惠景", "明华", "丹桂", "青柯", "朝东", "高基", "沙岗",   "海口", "小塘",
    "弼塘", "忠信", "永安", "南堤", "荷园", "秀丽", "铁军", "东鄱", "敦厚",   "大福", "沙口",
    "宝业", "市东", "桂园", "华宝", "快活", "接龙", "禅港", "富华", "康宁",   "安宁", "和平",
    "兴业", "创业", "科技", "工业", "发展", "南华", "新城", "环湖", "凤鸣",   "鸿业", "聚贤",
    "隆庆", "松风", "陶都", "陶城", "河宕", "上朗", "夏北", "弼头"};

// Lane stems: old-town and village names (巷 里 坊 are their suffixes).
constexpr std::string_view kLaneStems[] = {
    "丰宁", "大基尾", "石路", "仁寿", "鹤园", "桑园", "豆豉", "筷子", "花园",
    "书院", "社亭",   "太平", "福宁", "富民", "莲峰", "舍人", "米市", "锦澜",
    "大塘", "西边",   "东头", "新安", "水巷", "仁和", "龙船", "长兴", "榕树",
    "观音", "莺岗",   "银河", "红棉", "竹园", "塔坡", "平政", "高第", "九曲"};

constexpr std::string_view kNumerals[] = {"一", "二", "三", "四", "五",
                                          "六", "七", "八", "九", "十"};

constexpr Weighted kExpresswaySuffix[] = {{"快速路", 3}, {"大道", 4}, {"高速", 2}, {"公路", 2}};
constexpr Weighted kArterialSuffix[] = {{"大道", 5}, {"路", 6},   {"中路", 3},
                                        {"东路", 2}, {"西路", 2}, {"南路", 2},
                                        {"北路", 2}, {"#路", 4}};  // # = numeral
constexpr Weighted kSecondarySuffix[] = {{"路", 8},   {"东路", 2}, {"西路", 2}, {"南路", 2},
                                         {"北路", 2}, {"#路", 5},  {"大街", 1}, {"横路", 1}};
constexpr Weighted kBranchSuffix[] = {{"街", 5},   {"路", 4},  {"直街", 2}, {"横街", 2},
                                      {"大街", 1}, {"#街", 2}, {"新街", 1}};
constexpr Weighted kLaneSuffix[] = {{"巷", 5}, {"#巷", 5},  {"里", 2},
                                    {"坊", 2}, {"大巷", 1}, {"横巷", 1}};

struct RoadParts {
  std::string_view stem;
  std::string_view suffix;  // a leading '#' stands for a numeral
};

RoadParts roadParts(Rng& rng, RoadClass roadClass) {
  static const WeightedTable expressway = tableOf(kExpresswaySuffix);
  static const WeightedTable arterial = tableOf(kArterialSuffix);
  static const WeightedTable secondary = tableOf(kSecondarySuffix);
  static const WeightedTable branch = tableOf(kBranchSuffix);
  static const WeightedTable lane = tableOf(kLaneSuffix);
  switch (roadClass) {
    case RoadClass::kExpressway:
      return {uniformPick(rng, kRoadStems), kExpresswaySuffix[expressway.sample(rng)].text};
    case RoadClass::kArterial:
      return {uniformPick(rng, kRoadStems), kArterialSuffix[arterial.sample(rng)].text};
    case RoadClass::kSecondary:
      return {uniformPick(rng, kRoadStems), kSecondarySuffix[secondary.sample(rng)].text};
    case RoadClass::kBranch:
      return {rng.chance(0.7) ? uniformPick(rng, kRoadStems) : uniformPick(rng, kLaneStems),
              kBranchSuffix[branch.sample(rng)].text};
    case RoadClass::kLane:
      return {rng.chance(0.7) ? uniformPick(rng, kLaneStems) : uniformPick(rng, kRoadStems),
              kLaneSuffix[lane.sample(rng)].text};
  }
  return {kRoadStems[0], "路"};
}

// Chinese numeral 1..99: 一 … 十 十一 … 二十 … 九十九.
void appendNumeral(std::string& out, int n) {
  if (n <= 10) {
    out += kNumerals[static_cast<std::size_t>(n - 1)];
    return;
  }
  const int tens = n / 10;
  const int ones = n % 10;
  if (tens > 1) out += kNumerals[static_cast<std::size_t>(tens - 1)];
  out += "十";
  if (ones > 0) out += kNumerals[static_cast<std::size_t>(ones - 1)];
}

std::string composeRoad(std::string_view stem, std::string_view suffix, int numeral) {
  std::string out(stem);
  if (!suffix.empty() && suffix[0] == '#') {
    appendNumeral(out, numeral);
    suffix.remove_prefix(1);
  }
  out += suffix;
  return out;
}

// --- corpus ----------------------------------------------------------------

bool isFoshanSpan(std::string_view label, std::string_view text) {
  if (text.find("佛山"sv) != std::string_view::npos) return true;
  if (text.find("禅城"sv) != std::string_view::npos) return true;
  for (std::string_view d : {"南海区"sv, "顺德区"sv, "三水区"sv, "高明区"sv}) {
    if (text == d) return true;
  }
  if (label == "district") {
    for (std::string_view d : {"南海"sv, "顺德"sv, "三水"sv, "高明"sv}) {
      if (text == d) return true;
    }
  }
  return false;
}

struct Span {
  std::string label;
  std::string text;
};

// Reads one BIO file, appending the road spans of Foshan addresses to out.
core::Result<void> collectRoads(const std::string& path, std::vector<std::string>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::makeError(core::ErrorCode::kIo, "cannot open the labelled address file", path);
  }
  std::vector<Span> spans;
  auto flush = [&] {
    bool foshan = false;
    for (const auto& s : spans) foshan = foshan || isFoshanSpan(s.label, s.text);
    if (foshan) {
      for (const auto& s : spans) {
        if (s.label == "road" && !s.text.empty()) out.push_back(s.text);
      }
    }
    spans.clear();
  };
  std::string line;
  std::size_t lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) {
      flush();
      continue;
    }
    const std::size_t sp = line.find_last_of(' ');
    if (sp == std::string::npos || sp == 0 || sp + 1 == line.size()) {
      return core::makeError(core::ErrorCode::kSyntax, "expected \"token TAG\"",
                             path + ":" + std::to_string(lineNo));
    }
    const std::string_view token = std::string_view(line).substr(0, sp);
    const std::string_view tag = std::string_view(line).substr(sp + 1);
    if (tag.size() > 2 && (tag[0] == 'B' || tag[0] == 'I') && tag[1] == '-') {
      const std::string_view label = tag.substr(2);
      if (tag[0] == 'B' || spans.empty() || spans.back().label != label) {
        spans.push_back(Span{std::string(label), {}});
      }
      spans.back().text += token;
    } else if (tag == "O") {
      spans.push_back(Span{"O", std::string(token)});
    } else {
      return core::makeError(core::ErrorCode::kSyntax,
                             "tag \"" + std::string(tag) + "\" is not B-x, I-x or O",
                             path + ":" + std::to_string(lineNo));
    }
  }
  if (in.bad()) return core::makeError(core::ErrorCode::kIo, "read failed", path);
  flush();
  return {};
}

}  // namespace

std::string personName(Rng& rng, bool male) {
  std::string out(kSurnames[surnameTable().sample(rng)].text);
  const std::span<const std::string_view> pool =
      male ? std::span<const std::string_view>(kMaleChars)
           : std::span<const std::string_view>(kFemaleChars);
  if (rng.chance(0.12)) {
    out += uniformPick(rng, pool);
    return out;
  }
  out += rng.chance(0.25) ? uniformPick(rng, kSharedChars) : uniformPick(rng, pool);
  out += uniformPick(rng, pool);
  return out;
}

std::string mobilePhone(Rng& rng) {
  static const WeightedTable prefixes = tableOf(kMobilePrefixes);
  std::string out(kMobilePrefixes[prefixes.sample(rng)].text);
  std::uint64_t digits = rng.below(100000000);  // 8 digits, leading zeros kept
  out.resize(11);
  for (std::size_t i = 10; i >= 3; --i) {
    out[i] = static_cast<char>('0' + digits % 10);
    digits /= 10;
  }
  return out;
}

std::span<const Industry> industries() { return kIndustries; }

const Industry* findIndustry(std::string_view name) {
  for (const auto& i : kIndustries) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

const Industry& pickIndustry(Rng& rng) { return kIndustries[industryTable().sample(rng)]; }

std::string entityName(Rng& rng, std::string_view industry) {
  const Industry* ind = findIndustry(industry);
  const std::array<std::string_view, 1> fallback = {industry};
  const std::span<const std::string_view> companyWords =
      ind ? ind->companyWords : std::span<const std::string_view>(fallback);
  const double individualShare = ind ? ind->individualShare : 0.3;
  std::string out;
  out.reserve(64);
  if (rng.chance(individualShare)) {
    // Individual business: 佛山市禅城区 + (陈记 | trade name) + shop word.
    out += rng.chance(0.7) ? "佛山市禅城区" : "禅城区";
    if (rng.chance(0.35)) {
      out += kSurnames[surnameTable().sample(rng)].text;
      out += "记";
    } else {
      appendTradeName(rng, out);
    }
    if (ind && !ind->shopWords.empty()) {
      out += uniformPick(rng, ind->shopWords);
    } else {
      out += industry;
      out += "店";
    }
    out += "（个体工商户）";
    return out;
  }
  const double form = rng.uniform();
  if (form < 0.15 && (ind == nullptr || ind->manufacturing)) {
    // Factory registered under the town: 禅城区张槎街道宏盛纺织厂.
    out += "禅城区";
    out += uniformPick(rng, kStreets);
    appendTradeName(rng, out);
    out += uniformPick(rng, companyWords);
    out += "厂";
    return out;
  }
  out += "佛山市";
  if (rng.chance(0.55)) out += "禅城区";
  appendTradeName(rng, out);
  out += uniformPick(rng, companyWords);
  if (form < 0.90) {
    out += "有限公司";
  } else if (form < 0.95) {
    out += "股份有限公司";
  } else {
    out += "有限公司禅城分公司";
  }
  return out;
}

std::string roadName(Rng& rng, RoadClass roadClass) {
  const RoadParts parts = roadParts(rng, roadClass);
  const int numeral = parts.suffix.starts_with('#') ? static_cast<int>(rng.between(1, 8)) : 0;
  return composeRoad(parts.stem, parts.suffix, numeral);
}

bool RoadNamer::reserve(std::string_view name) { return m_used.emplace(name).second; }

std::string RoadNamer::next(Rng& rng, RoadClass roadClass) {
  for (int attempt = 0; attempt < 32; ++attempt) {
    std::string name = roadName(rng, roadClass);
    if (m_used.insert(name).second) return name;
  }
  // Crowded: number a stem until free. Numbering past 99 falls to a new stem.
  for (;;) {
    const RoadParts parts = roadParts(rng, roadClass);
    std::string_view suffix = parts.suffix;
    if (!suffix.starts_with('#')) suffix = roadClass == RoadClass::kLane ? "#巷" : "#路";
    for (int n = 1; n <= 99; ++n) {
      std::string name = composeRoad(parts.stem, suffix, n);
      if (m_used.insert(name).second) return name;
    }
  }
}

core::Result<std::vector<std::string>> realFoshanRoadNames(const std::string& naaclDir) {
  std::vector<std::string> names;
  for (const char* file : {"train.txt", "dev.txt"}) {  // never test.txt: held out
    auto r = collectRoads(naaclDir + "/" + file, names);
    if (!r.ok()) return r.takeError();
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace gridtwin::generator
