"""Take the figures the 2020 Beijing 接诉即办 report prints, produce inputs/2020/figures.xlsx.

    python tools/make_sample_2020.py

Part 1 keeps every figure of the seed report (shared/seed/000_32cc329d840bf8b9.txt) as the
literal string it prints: "1022.3万", "91.32%", "上升53.01%", "8400余", "约5000".  Part 2 holds
the illustrative designs (in 万) for what the seed only describes: a peak, a leader, an order.
Part 3 finds exact counts by small searches: each count is one that, rounded half-even the
way the report rounds (builder.model.numbers), prints what the seed prints, together with every share
and growth rate printed beside it.  Part 4 writes the workbook, and part 5 recomputes every
printed figure and statement from the chosen counts and lists those that do not reproduce:
they are the seed's own inconsistencies, which no choice of counts can remove.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from openpyxl.utils import get_column_letter  # noqa: E402

from builder.model.figures import MONTHS  # noqa: E402
from builder.model.numbers import format_count, format_growth, percent, percent_range, wan_range  # noqa: E402
from builder.workbook.blank import workbook_bytes  # noqa: E402
from builder.workbook.schema import FIRST_DATA_ROW, sheet  # noqa: E402

OUT = ROOT / "inputs" / "2020" / "figures.xlsx"
NA = "—"

# ══ Part 1. What the seed prints ══════════════════════════════════════════════════════════════

YEAR = 2020
REGION = "北京市"

# 总量: 项目 -> (本年 as printed, growth as printed or None)
TOTALS: dict[str, tuple[str, str | None]] = {
    "受理总量": ("1022.3万", "上升53.01%"),
    "电话反映": ("919.4万", None),
    "网络反映": ("87.3万", None),
    "直接解答": ("604.4万", None),
    "派单处理": ("402.3万", None),
    "办理诉求": ("415.7万", "上升72.39%"),
    "企业专席受理": ("5.7万", None),
    "企业专席直接解答": ("2.9万", None),
    "企业专席派单": ("2.8万", None),
}
# Shares printed side by side; each pair's shares are of the pair's sum.
PAIR_SHARES: dict[str, str] = {
    "电话反映": "91.32%",
    "网络反映": "8.68%",
    "直接解答": "60.04%",
    "派单处理": "39.96%",
    "企业专席直接解答": "51.42%",
    "企业专席派单": "48.58%",
}
UNITS: dict[str, tuple[str, str]] = {  # 承办单位: count, share of the five
    "区分中心": ("159.1万", "39.55%"),
    "街乡镇": ("156.9万", "38.99%"),
    "市级部门": ("50.0万", "12.42%"),
    "国有企业": ("28.1万", "6.97%"),
    "电商企业": ("8.3万", "2.06%"),
}
ZONES: dict[str, tuple[str, str, str, str]] = {  # 承办量, 直派街乡镇, 区级部门, share of all
    "中心城区及副中心": ("187.07万", "79.62万", "107.45万", "59.23%"),
    "平原新城": ("83.44万", "47.31万", "36.13万", "26.42%"),
    "生态涵养区": ("45.31万", "29.91万", "15.40万", "14.35%"),
}
ZONE_DISTRICTS: dict[str, tuple[str, ...]] = {
    "中心城区及副中心": ("东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "通州区"),
    "平原新城": ("顺义区", "大兴区", "昌平区", "房山区"),
    "生态涵养区": ("门头沟区", "平谷区", "怀柔区", "密云区", "延庆区"),
}
DISTRICT_TOTALS = {"朝阳区": "55.2万", "延庆区": "5.0万"}  # the most and the least
PER_10K = {"门头沟区": "2806", "昌平区": "939"}  # 万人承办量: the most and the least
PER_10K_NEXT = ("密云区", "平谷区", "怀柔区", "顺义区")  # after 门头沟区, in order, all >= 2000
PER_10K_FLOOR = 2000

TYPE_TOP: dict[str, tuple[str, str]] = {  # the largest category and its share of the type
    "咨询": ("公共安全", "26.30%"),
    "诉求": ("市场管理", "11.80%"),
    "建议": ("公共服务", "23.06%"),
    "投诉": ("市场管理", "13.96%"),
    "表扬": ("公共服务", "34.83%"),
}
TYPE_TOP_TEN: dict[str, tuple[str, ...]] = {
    "咨询": ("公共安全", "卫生健康", "劳动和社会保障", "公共服务", "交通管理",
             "社会秩序", "市场管理", "民政事务", "住房", "教育"),
    "诉求": ("市场管理", "公共安全", "住房", "公共服务", "城乡建设",
             "社会秩序", "交通管理", "卫生健康", "教育", "农村管理"),
    "建议": ("公共服务", "交通管理", "卫生健康", "公共安全", "住房",
             "环境保护", "市场管理", "市容环卫", "教育", "物业管理"),
    "投诉": ("市场管理", "社会秩序", "公共服务", "卫生健康", "物业管理",
             "住房", "教育", "城乡建设", "交通管理", "公共安全"),
    "表扬": ("公共服务", "卫生健康", "交通管理", "农村管理", "住房",
             "物业管理", "公共安全", "城乡建设", "教育", "市容环卫"),
}
# Months the seed prints: month -> (count, share of the year or None).
TYPE_MONTHS: dict[str, dict[int, tuple[str, str | None]]] = {
    "咨询": {4: ("31.0万", "15.27%")},
    "诉求": {2: ("41.8万", None), 11: ("93.1万", "12.44%")},
    "建议": {2: ("13.9万", "12.64%"), 12: ("约4000", None)},
    "投诉": {8: ("1.2万", "16.34%"), 12: ("约2600", None)},
    "表扬": {8: ("约5000", "16.26%"), 2: ("约1400", None)},
}
TYPE_PEAK_LOW: dict[str, tuple[int, int | None]] = {
    "咨询": (4, None), "诉求": (11, 2), "建议": (2, 12), "投诉": (8, 12), "表扬": (8, 2),
}
TYPE_DISTRICT_TOP3: dict[str, tuple[str, str, str]] = {
    "咨询": ("朝阳区", "海淀区", "丰台区"),
    "诉求": ("朝阳区", "海淀区", "丰台区"),
    "建议": ("朝阳区", "海淀区", "丰台区"),
    "投诉": ("朝阳区", "海淀区", "丰台区"),
    "表扬": ("丰台区", "朝阳区", "海淀区"),
}
ZONE_TOP_TEN: dict[str, tuple[str, ...]] = {
    "中心城区及副中心": ("市场管理", "住房", "城乡建设", "物业管理", "公共安全",
                         "教育", "市容环卫", "交通管理", "环境保护", "卫生健康"),
    "平原新城": ("农村管理", "住房", "城乡建设", "市容环卫", "物业管理",
                 "公共安全", "公共服务", "市场管理", "市政", "环境保护"),
    "生态涵养区": ("农村管理", "住房", "城乡建设", "市容环卫", "市政",
                   "公共服务", "物业管理", "市场管理", "公共安全", "环境保护"),
}
STREET_FIRST = ("丰台区", "新村街道", "18031")
STREET_NEXT = (("丰台区", "大红门街道"), ("昌平区", "北七家镇"), ("丰台区", "卢沟桥街道"),
               ("昌平区", "沙河镇"))
STREET_FLOOR = 12000  # the first five "均在12000件以上"
STREET_TOP10_DISTRICTS = {"丰台区": 5, "通州区": 2, "昌平区": 2, "大兴区": 1}
CITY_DEPARTMENTS = (("市公安局", "14.9万"), ("开发区管委会", "7.0万"))
STATE_FIRMS = (("公交集团", "9.7万"), ("热力集团", "6.3万"))


@dataclass(frozen=True)
class Hot:
    """One hot topic as printed: counts, growth, shares, the leading unit and district."""

    name: str
    count: str
    growth: str
    direct: str
    direct_share: str
    unit: tuple[str, str, str]  # leading unit type, its count, its share of all unit types
    district: tuple[str, str, str]  # leading district, its count, its share of all districts
    subtopics: tuple[str, ...]  # as named, largest first
    first_share: str  # the largest sub-topic's share of the category


HOTS: tuple[Hot, ...] = (
    Hot("公共安全", "110.5万", "上升742.58%", "88.3万", "79.88%",
        ("区分中心", "10.1万", "45.42%"), ("朝阳区", "3.7万", "18.29%"),
        ("卫生安全", "食品安全", "消防安全", "住房安全", "生产安全"), "87.99%"),
    Hot("市场管理", "92.1万", "上升15.83%", "44.9万", "48.70%",
        ("区分中心", "29.9万", "63.31%"), ("朝阳区", "9.3万", "28.85%"),
        ("网络交易", "市场环境秩序", "商品服务质量", "预付式消费", "合同违法行为"), "55.27%"),
    Hot("公共服务", "59.2万", "上升15.04%", "24.3万", "41.01%",
        ("国有企业", "18.6万", "53.18%"), ("朝阳区", "1.6万", "10.78%"),
        ("供暖", "公交", "供水", "网络与通讯", "供电"), "24.19%"),
    Hot("住房", "57.5万", "上升57.18%", "19.2万", "33.37%",
        ("街乡镇", "18.9万", "49.37%"), ("朝阳区", "6.2万", "17.44%"),
        ("房产中介", "小区配套", "房屋修缮", "房屋权属", "非法出租房屋"), "24.43%"),
    Hot("卫生健康", "57.3万", "上升170.20%", "41.4万", "72.23%",
        ("区分中心", "8.2万", "51.49%"), ("朝阳区", "2.3万", "19.62%"),
        ("疾病防控", "医疗服务", "卫生防疫", "医院管理", "药品管理"), "39.16%"),
    Hot("城乡建设", "51.7万", "上升12.63%", "19.8万", "38.21%",
        ("街乡镇", "21.6万", "67.51%"), ("朝阳区", "4.0万", "13.16%"),
        ("施工管理", "违法建设", "拆迁腾退", "规划设计", "棚户区改造"), "33.60%"),
    Hot("交通管理", "43.8万", "上升24.41%", "21.1万", "48.14%",
        ("区分中心", "8.3万", "36.69%"), ("朝阳区", "2.8万", "18.42%"),
        ("停车管理", "交通设施", "道路拥堵", "缓堵措施", "违章处理"), "49.57%"),
    Hot("社会秩序", "43.5万", "上升197.30%", "33.3万", "76.40%",
        ("市级部门", "6.8万", "66.29%"), ("房山区", "8400余", "24.67%"),
        ("涉众经济案件", "刑事案件", "户籍管理", "宠物管理", "犬类管理"), "39.57%"),
    Hot("教育", "33.0万", "上升246.71%", "15.6万", "47.31%",
        ("区分中心", "16.2万", "93.07%"), ("朝阳区", "4.9万", "29.87%"),
        ("社会办学", "入学升学", "教职人员管理", "教务管理", "教育收费"), "72.31%"),
    Hot("劳动和社会保障", "32.9万", "上升78.28%", "21.7万", "65.85%",
        ("区分中心", "9.2万", "81.93%"), ("朝阳区", "2.3万", "22.94%"),
        ("拖欠工资", "社会保险", "劳动合同及用工管理", "离退休工资和待遇", "工伤及职业病"),
        "54.09%"),
)
# Sub-topic months the seed prints: (category, sub-topic) -> {month: (count, share or None)}.
HOT_MONTHS: dict[tuple[str, str], dict[int, tuple[str, str | None]]] = {
    ("市场管理", "网络交易"): {1: ("6.1万", None), 11: ("5.9万", None)},
    ("公共服务", "公交"): {9: ("2.1万", None)},
    ("住房", "房屋修缮"): {8: ("2.3万", None)},
    ("住房", "房产中介"): {11: ("3.6万", "25.98%")},
    ("卫生健康", "疾病防控"): {4: ("4.4万", None)},
    ("城乡建设", "施工管理"): {8: ("2.7万", None)},
    ("交通管理", "停车管理"): {9: ("2.8万", None)},
    ("社会秩序", "涉众经济案件"): {9: ("3.0万", None)},
    ("教育", "社会办学"): {10: ("3.9万", None)},
    ("教育", "入学升学"): {7: ("1.1万", None)},
    ("劳动和社会保障", "拖欠工资"): {1: ("2.5万", None), 11: ("2.2万", None)},
}
# The months the seed names as a series' highest ("最为集中", "最多", "峰值", "较高").
HOT_PEAKS: dict[tuple[str, str], tuple[int, ...]] = {
    ("公共安全", "卫生安全"): (6,),
    ("市场管理", "网络交易"): (1, 11),
    ("公共服务", "公交"): (9,),
    ("住房", "房屋修缮"): (8,),
    ("住房", "房产中介"): (11,),
    ("卫生健康", "疾病防控"): (4,),
    ("城乡建设", "施工管理"): (8,),
    ("交通管理", "停车管理"): (9,),
    ("社会秩序", "涉众经济案件"): (9,),
    ("社会秩序", ""): (9,),
    ("教育", "社会办学"): (10,),
    ("教育", "入学升学"): (7,),
    ("劳动和社会保障", "拖欠工资"): (1, 11),
}
# Sub-topics the seed speaks of month by month: they get their own rows in 热点月度.
HOT_MONTH_ROWS: dict[str, tuple[str, ...]] = {
    "公共安全": ("卫生安全", "食品安全", "消防安全"),
    "市场管理": ("网络交易", "市场环境秩序", "商品服务质量", "预付式消费", "合同违法行为"),
    "公共服务": ("供暖", "公交", "供水", "供电"),
    "住房": ("房产中介", "小区配套", "房屋修缮", "房屋权属", "非法出租房屋"),
    "卫生健康": ("疾病防控",),
    "城乡建设": ("施工管理",),
    "交通管理": ("停车管理",),
    "社会秩序": ("涉众经济案件",),
    "教育": ("社会办学", "入学升学"),
    "劳动和社会保障": ("拖欠工资", "社会保险", "离退休工资和待遇"),
}
# 公布值 出处: the seed's own words where they differ from the pattern used for the others.
SOURCE_WORDING: dict[str, str] = {
    "总量.受理总量.增幅": "2020年共受理群众反映1022.3万件,环比2019年上升53.01%",
    "总量.办理诉求.增幅": "其中办理诉求415.7万件,环比上升72.39%",
    "总量.企业专席派单.占比": "派单处理2.8万件、占比48.58%",
    "类型.建议.公共服务.占比": "其中,反映建议比例最高为公共服务类,占建议总量的23.06%",
    "类型.咨询.4月.占比": "于4月达到年度最高,为31.0万件,全年占比为15.27%",
    "类型.诉求.11月.占比": "于11月达到年度最高,为93.1万件,全年占比为12.44%",
    "类型.建议.2月.占比": "2月为年度最高,反映13.9万件,全年占比为12.64%",
    "类型.投诉.8月.占比": "于8月为年度最高,反映1.2万件,全年占比为16.34%",
    "类型.表扬.8月.占比": "于8月为年度最高,反映约5000件,全年占比为16.26%",
    "承办单位.区分中心.占比": "2020年16个区承办159.1万件,占比39.55%",
    "功能区.中心城区及副中心.占比": "占全市各区承办量的59.23%",
    "功能区.平原新城.占比": "占全市各区的26.42%",
    "功能区.生态涵养区.占比": "占全市诉求量的14.35%",
    "各区.朝阳区.承办量": "各区全年承办量最多为朝阳区,共承办55.2万件",
    "各区.延庆区.承办量": "最少为延庆区,共承办5.0万件",
    "各区.门头沟区.万人承办量": "门头沟区万人承办量最多,达到2806件",
    "各区.昌平区.万人承办量": "昌平区万人承办诉求量最少,为939件",
    "热点.住房.子类.房产中介.11月.占比": "房产中介问题于11月反映明显上升,为3.6万件,占全年的25.98%",
}
RATES_CITY = ("85.83", "89.44")  # 解决率, 满意率; the 2019 figures are printed as **
RATE_UNIT_ORDER = ("国有企业", "街乡镇")  # highest in both rates, then second
RATE_DISTRICT_ORDER = ("怀柔区", "大兴区", "顺义区")

# 指标: name -> (本年 as printed or None for **, growth as printed / "—" / None, unit, source).
# Prose prints an indicator with its unit (builder.compose.printing.amount: "165万件"), so a unit holds
# whatever the seed writes after the number: "余件" for "650余件", "万" for "8万居民".
INDICATORS: dict[str, tuple[str | None, str | None, str, str]] = {
    "参与区数": ("16", NA, "个", "全市16个区"),
    "参与市级部门数": (None, NA, "个", "**个市级部门"),
    "参与国有企业数": (None, NA, "个", "**个国有企业"),
    "参与街道数": (None, NA, "个", "**个街道"),
    "参与乡镇数": (None, NA, "个", "**个乡镇"),
    "参与人数": (None, NA, "人", "共**人参加“接诉即办”工作"),
    "热线评比连续第一年数": ("4", NA, "年", "连续四年获得第一名"),
    "专家值守": ("493", NA, "人次", "公共卫生和心理专家值守493人次"),
    "医疗咨询电话": ("3184", NA, "件", "接听医疗咨询电话3184件"),
    "心理咨询": ("471", NA, "次", "提供心理咨询服务471次"),
    "法律咨询": ("878", NA, "次", "提供法律咨询服务878次"),
    "疫情数据": ("60", NA, "万条", "涵盖60万条疫情数据"),
    "疫情相关反映": ("165", NA, "万件", "受理疫情相关反映165万件"),
    "疫情解决率": ("94.3", NA, "%", "解决率94.3%"),
    "疫情满意率": ("94.1", NA, "%", "满意率94.1%"),
    "整合服务热线": ("52", NA, "条", "整合全市52条服务热线"),
    "受理渠道": ("15", NA, "个", "等15个渠道的统一工作平台"),
    "网上12345受理": ("95.6", "上升630.8%", "万件", "共受理网民反映95.6万件,环比上升630.8%"),
    "网上12345派单": ("34.6", "上升404.4%", "万件", "派单34.6万件,环比上升404.4%"),
    "一把手受理诉求": ("650", NA, "余件", "受理诉求650余件"),
    "疫情线索属地确认": ("2", NA, "万余件", "丰台区精准开展2万余件疫情线索的属地确认"),
    "饮水问题小区": ("21", NA, "个", "21个小区"),
    "饮水问题居民": ("8", NA, "万", "8万居民饮水问题（单位“万”人，正文接“居民”）"),
    "交通信号灯": ("5158", NA, "处", "推进5158处交通信号灯“五统一”"),
    "挽回损失": ("3944", NA, "万元", "挽回经济损失3944万元"),
    "考核街道乡镇": ("338", NA, "个", "全市338个街道(乡镇)"),
    "市属国企": ("46", NA, "家", "市属46家国企"),
    "民意数据库记录": ("3400", NA, "多万件", "汇集3400多万件群众反映记录"),
    "诉求响应率": ("100", NA, "%", "群众诉求响应率始终保持100%"),
    "表扬电话表扬信锦旗": ("2.7", NA, "万件", "收到表扬电话、表扬信、锦旗2.7万件"),
    "表扬相关比率": ("126.31", None, "%",
                     "原文“收到表扬电话、表扬信、锦旗2.7万件，从2019年**%提升至126.31%”；"
                     "此比率的含义待确认，2019年数原文为**"),
}

# ══ Part 2. Illustrative designs (万), honouring what the seed says ═══════════════════════════

# 2019 year-end resident population by district, 万人 (北京市统计局; to be checked).
POPULATION: dict[str, float] = {
    "东城区": 79.4, "西城区": 113.7, "朝阳区": 347.3, "海淀区": 323.7, "丰台区": 202.5,
    "石景山区": 59.0, "通州区": 167.5, "顺义区": 122.8, "大兴区": 188.5, "昌平区": 216.6,
    "房山区": 125.5, "门头沟区": 34.4, "平谷区": 45.7, "怀柔区": 42.2, "密云区": 50.3,
    "延庆区": 34.6,
}
DISTRICTS = tuple(d for ds in ZONE_DISTRICTS.values() for d in ds)
# District totals (直派街乡镇 + 区级部门) not printed: 万, or ("万人", x) for a 万人承办量 target.
DISTRICT_DESIGN: dict[str, float | tuple[str, float]] = {
    "东城区": 11.0, "西城区": 15.0, "丰台区": 34.0, "石景山区": 8.87, "通州区": 23.0,
    "顺义区": ("万人", 2050), "房山区": 16.43,
    "密云区": ("万人", 2300), "平谷区": ("万人", 2200),
}
ZONE_RESIDUAL = {"中心城区及副中心": "海淀区", "平原新城": "大兴区", "生态涵养区": "怀柔区"}
SPLIT_JITTER = 0.06  # districts' 直派 share varies this much around their zone's

# Unpinned months of each call type, 万 (only their shape matters; the rest of the year is
# spread over them).
TYPE_MONTH_DESIGN: dict[str, tuple[float, ...]] = {
    "咨询": (13.0, 19.0, 23.0, 0, 17.5, 15.5, 14.2, 14.0, 13.9, 14.1, 13.8, 14.0),
    "诉求": (45.0, 0, 50.0, 55.0, 58.0, 62.0, 63.0, 66.0, 68.0, 70.0, 0, 76.5),
    "建议": (12.0, 0, 13.5, 12.5, 11.0, 10.5, 9.5, 8.5, 7.5, 6.0, 4.67, 0),
    "投诉": (0.50, 0.42, 0.55, 0.60, 0.65, 0.70, 0.80, 0, 0.72, 0.50, 0.44, 0),
    "表扬": (0.18, 0, 0.17, 0.20, 0.22, 0.25, 0.30, 0, 0.32, 0.28, 0.27, 0.235),
}
CALL_TYPES = ("咨询", "诉求", "建议", "投诉", "表扬")
TOP, ROW, OTHER, REL, SPREAD = "top", "row", "other", "rel", "spread"
# 类型分类 (万): TOP = from the printed top share; ROW = makes the category's five cells add up
# to its 热点 count; REL = 咨询 cell set from 市场管理's (see Z_OFFSETS); SPREAD = 诉求 cell
# spaced between 公共服务 (4th) and 教育 (9th); OTHER = what is left of the type's total.
CATEGORY_DESIGN: dict[str, tuple[float | str, ...]] = {
    #                  咨询   诉求    建议   投诉   表扬
    "公共安全":       (TOP, ROW, 10.00, 0.25, 0.12),
    "市场管理":       (ROW, TOP, 1.70, TOP, 0.015),
    "公共服务":       (REL, ROW, TOP, 0.75, TOP),
    "住房":           (REL, ROW, 9.50, 0.50, 0.18),
    "卫生健康":       (ROW, SPREAD, 11.00, 0.70, 0.42),
    "城乡建设":       (0.75, SPREAD, 1.50, 0.36, 0.11),
    "交通管理":       (REL, SPREAD, ROW, 0.30, 0.30),
    "社会秩序":       (REL, SPREAD, 0.75, 0.77, 0.03),
    "教育":           (REL, ROW, 1.60, 0.42, 0.085),
    "劳动和社会保障": (ROW, 16.74, 1.20, 0.20, 0.06),
    "民政事务":       (REL, 8.00, 0.80, 0.06, 0.05),
    "农村管理":       (0.65, 20.00, 1.00, 0.15, 0.22),
    "环境保护":       (0.55, 15.00, 8.00, 0.18, 0.04),
    "市容环卫":       (0.50, 18.00, 1.65, 0.12, 0.07),
    "物业管理":       (0.60, 19.00, 1.55, 0.60, 0.15),
    "市政":           (0.40, 17.00, 1.30, 0.10, 0.045),
    "其他":           (OTHER, OTHER, OTHER, OTHER, OTHER),
}
# 咨询's 7th (市场管理) is what is left of 92.1万 after its 诉求 and 投诉 shares, about 1万:
# its neighbours in 咨询's order are set around it (万).
Z_OFFSETS = {"公共服务": 0.40, "交通管理": 0.30, "社会秩序": 0.15,
             "民政事务": -0.05, "住房": -0.10, "教育": -0.15}
S_SPREAD = ("城乡建设", "社会秩序", "交通管理", "卫生健康")  # between 公共服务 and 教育 in 诉求
LATE_ROWS = (("公共安全", "诉求"), ("住房", "诉求"), ("卫生健康", "咨询"), ("交通管理", "建议"),
             ("劳动和社会保障", "咨询"))

# 类型各区 weights: the three named districts lead in the stated order.
DISTRICT_CALL_WEIGHTS = {
    "东城区": 5.0, "西城区": 6.5, "朝阳区": 16.0, "海淀区": 13.0, "丰台区": 11.0,
    "石景山区": 2.5, "通州区": 7.0, "顺义区": 5.0, "大兴区": 7.0, "昌平区": 9.0,
    "房山区": 5.0, "门头沟区": 1.8, "平谷区": 1.8, "怀柔区": 1.8, "密云区": 2.0, "延庆区": 1.3,
}
PRAISE_WEIGHTS = {"丰台区": 14.0, "朝阳区": 13.0, "海淀区": 11.0}

# 热点子类: shares (of the category) of the 2nd to 5th sub-topics.
SUBTOPIC_SHARES: dict[str, tuple[float, ...]] = {
    "公共安全": (0.035, 0.025, 0.018, 0.012),
    "市场管理": (0.10, 0.08, 0.07, 0.05),
    "公共服务": (0.18, 0.13, 0.11, 0.09),
    "住房": (0.18, 0.15, 0.10, 0.08),
    "卫生健康": (0.20, 0.12, 0.08, 0.05),
    "城乡建设": (0.20, 0.10, 0.07, 0.05),
    "交通管理": (0.15, 0.10, 0.07, 0.05),
    "社会秩序": (0.15, 0.12, 0.08, 0.06),
    "教育": (0.17, 0.04, 0.03, 0.02),
    "劳动和社会保障": (0.15, 0.10, 0.08, 0.04),
}
# Month shapes (relative weights, January to December).
SHAPES: dict[str, tuple[float, ...]] = {
    "卫生安全": (2, 9, 9, 10, 8, 16, 10, 8, 6.5, 6.2, 6.0, 6.3),
    "四月后上升": (5, 4, 4, 5, 7, 8, 9, 10, 10, 10, 10, 10),
    "六月后上升": (6, 5, 6, 6, 6, 7, 9, 10, 10, 11, 11, 11),
    "网络交易": (0, 3.0, 3.2, 3.4, 3.5, 3.8, 4.5, 4.8, 5.0, 5.2, 0, 5.3),
    "供暖": (10, 8, 6, 2, 1, 1, 1, 1, 1, 3, 9, 11),
    "先升后降": (4, 5, 6, 7, 8, 9, 9, 9, 8.5, 8, 6, 5),
    "公共服务": (8, 7, 6, 5, 5, 6, 7, 7, 7, 7, 8, 9),
    "疾病防控": (2.0, 3.8, 3.0, 0, 2.6, 2.8, 1.2, 0.9, 0.62, 0.60, 0.58, 0.61),
    "上半年集中": (7, 10, 10, 11, 9, 9, 6, 5, 5, 5, 5, 5),
    "施工管理": (0.6, 0.5, 0.9, 1.3, 1.5, 1.6, 1.7, 0, 1.7, 1.6, 1.5, 1.3),
    "三月后上升": (5, 4, 6, 8, 9, 9, 9, 9, 9, 9, 9, 9),
    "停车管理": (1.0, 0.8, 1.2, 1.6, 1.8, 1.9, 2.0, 2.1, 0, 2.2, 2.2, 2.1),
    "涉众经济案件": (0.5, 0.4, 0.6, 0.8, 1.0, 1.2, 1.5, 1.9, 0, 2.2, 2.1, 2.0),
    "社会秩序": (4, 4, 5, 6, 7, 8, 9, 10, 12, 11, 11, 11),
    "社会办学": (1.2, 0.8, 1.0, 1.1, 1.2, 1.4, 1.9, 2.4, 3.0, 0, 2.9, 2.3),
    "入学升学": (0.2, 0.2, 0.3, 0.4, 0.6, 0.8, 0, 0.8, 0.6, 0.3, 0.2, 0.2),
    "拖欠工资": (0, 0.6, 1.0, 1.2, 1.3, 1.4, 1.5, 1.5, 1.6, 1.7, 0, 1.9),
    "六月后小幅上升": (7, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 9),
    "劳动": (10, 4, 6, 7, 7, 8, 8, 8, 8, 9, 10, 9),
}
CATEGORY_SHAPE = {
    "公共安全": "卫生安全", "市场管理": "六月后上升", "公共服务": "公共服务", "住房": "六月后上升",
    "卫生健康": "上半年集中", "城乡建设": "三月后上升", "交通管理": "三月后上升",
    "社会秩序": "社会秩序", "教育": "社会办学", "劳动和社会保障": "劳动",
}
SUBTOPIC_SHAPE = {
    "卫生安全": "卫生安全", "食品安全": "四月后上升", "消防安全": "四月后上升",
    "网络交易": "网络交易", "供暖": "供暖", "公交": "先升后降", "供水": "先升后降",
    "供电": "先升后降", "疾病防控": "疾病防控", "施工管理": "施工管理", "停车管理": "停车管理",
    "涉众经济案件": "涉众经济案件", "社会办学": "社会办学", "入学升学": "入学升学",
    "拖欠工资": "拖欠工资", "社会保险": "六月后小幅上升", "离退休工资和待遇": "六月后小幅上升",
}

# 热点承办单位 (万): the non-leading unit types; "row" makes them add up to 本年 − 直接答复.
HOT_UNIT_DESIGN: dict[str, dict[str, float | str]] = {
    "公共安全": {"街乡镇": ROW, "市级部门": 1.90, "国有企业": 0.40, "电商企业": 0.04},
    "市场管理": {"街乡镇": ROW, "市级部门": 7.50, "国有企业": 0.50, "电商企业": 6.90},
    "公共服务": {"区分中心": 7.40, "街乡镇": ROW, "市级部门": 1.44, "电商企业": 0.10},
    "住房": {"区分中心": ROW, "市级部门": 2.20, "国有企业": 0.45, "电商企业": 0.08},
    "卫生健康": {"街乡镇": ROW, "市级部门": 3.80, "国有企业": 0.30, "电商企业": 0.11},
    "城乡建设": {"区分中心": ROW, "市级部门": 1.40, "国有企业": 0.15, "电商企业": 0.05},
    "交通管理": {"街乡镇": ROW, "市级部门": 5.60, "国有企业": 1.70, "电商企业": 0.12},
    "社会秩序": {"区分中心": 1.80, "街乡镇": ROW, "国有企业": 0.02, "电商企业": 0.01},
    "教育": {"街乡镇": ROW, "市级部门": 0.90, "国有企业": 0.05, "电商企业": 0.06},
    "劳动和社会保障": {"街乡镇": ROW, "市级部门": 1.00, "国有企业": 0.15, "电商企业": 0.05},
}
# 热点各区 (万): what 平原新城 and 生态涵养区 take; 中心城区及副中心 takes the rest.
HOT_ZONE_DESIGN: dict[str, tuple[float, float]] = {
    "公共安全": (5.8, 2.2), "市场管理": (3.4, 2.4), "公共服务": (5.4, 2.9), "住房": (8.0, 3.55),
    "卫生健康": (2.2, 1.9), "城乡建设": (7.5, 3.3), "交通管理": (2.3, 1.9),
    "社会秩序": (2.0, 0.33), "教育": (2.5, 2.0), "劳动和社会保障": (2.1, 1.6),
}
# Topics spread evenly over the districts (朝阳区 leads them with a small share): the central
# districts by these weights, the others equally.
FLAT_CENTRAL = {"海淀区": 0.20, "丰台区": 0.20, "通州区": 0.17, "西城区": 0.16, "东城区": 0.14,
                "石景山区": 0.13}
FLAT_TOPICS = ("公共服务", "城乡建设")
# 功能区分类 (万) for categories outside the hot ten; hot categories sum 热点各区 over the zone.
ZONE_OTHER_DESIGN: dict[str, dict[str, float]] = {
    "中心城区及副中心": {"物业管理": 15.5, "市容环卫": 11.5, "环境保护": 9.0},
    "平原新城": {"农村管理": 10.5, "市容环卫": 6.9, "物业管理": 6.3, "市政": 3.0, "环境保护": 2.7},
    "生态涵养区": {"农村管理": 5.0, "市容环卫": 3.2, "市政": 3.05, "物业管理": 2.7,
                   "环境保护": 2.1},
}
# 街乡镇 after the five the seed names: invented but real streets, so that the top ten are
# 丰台5、通州2、昌平2、大兴1 (万).
STREET_DESIGN = (
    ("丰台区", "大红门街道", 1.62), ("昌平区", "北七家镇", 1.51), ("丰台区", "卢沟桥街道", 1.43),
    ("昌平区", "沙河镇", 1.27), ("丰台区", "马家堡街道", 1.19), ("通州区", "永顺镇", 1.16),
    ("大兴区", "西红门镇", 1.12), ("丰台区", "右安门街道", 1.08), ("通州区", "梨园镇", 1.05),
)
# 办理率 (解决率, 满意率): 区分中心 is set so the five, weighted by 承办量, give the city's.
UNIT_RATES: dict[str, tuple[float, float] | None] = {
    "区分中心": None, "街乡镇": (90.16, 92.74), "市级部门": (80.12, 84.35),
    "国有企业": (93.52, 95.87), "电商企业": (75.31, 81.06),
}
DISTRICT_RATES: dict[str, tuple[float, float]] = {
    "怀柔区": (96.12, 97.35), "大兴区": (95.27, 96.61), "顺义区": (94.83, 96.14),
    "延庆区": (93.95, 95.42), "密云区": (93.61, 95.20), "平谷区": (93.18, 94.87),
    "门头沟区": (92.74, 94.51), "房山区": (91.86, 93.72), "通州区": (90.95, 93.08),
    "石景山区": (90.42, 92.67), "昌平区": (89.87, 92.15), "西城区": (89.36, 91.82),
    "东城区": (88.91, 91.43), "海淀区": (87.65, 90.58), "丰台区": (87.12, 90.11),
    "朝阳区": (86.48, 89.73),
}
CATEGORY_RATES: dict[str, tuple[float, float]] = {
    "公共安全": (90.15, 92.88), "市场管理": (72.36, 78.41), "公共服务": (88.74, 91.93),
    "住房": (80.52, 85.17), "卫生健康": (89.63, 92.41), "城乡建设": (82.37, 86.95),
    "交通管理": (78.84, 83.62), "社会秩序": (84.21, 88.06), "教育": (75.48, 81.27),
    "劳动和社会保障": (83.95, 87.72), "民政事务": (91.32, 93.85), "农村管理": (87.26, 90.64),
    "环境保护": (85.47, 89.12), "市容环卫": (89.88, 92.53), "物业管理": (81.69, 86.34),
    "市政": (90.57, 93.21),
}

# ══ Part 3. Exact counts that print what the seed prints ═════════════════════════════════════


def candidates(printed: str) -> list[int]:
    """Every count the printed form stands for: "1022.3万", "8400余", "约5000", "18031"."""
    return list(_candidates(printed))


@cache
def _candidates(printed: str) -> tuple[int, ...]:
    return tuple(_window(printed))


def _window(printed: str) -> list[int]:
    if printed.startswith("约"):
        n = int(printed[1:])
        return list(range(n - n // 40, n + n // 40 + 1))
    if printed.endswith("余"):
        n = int(printed[:-1])
        return list(range(n, n + 100))
    if printed.endswith("万"):
        value = Decimal(printed[:-1])
        places = -int(value.as_tuple().exponent)
        low, high = wan_range(value, places)
        return [n for n in range(int(low), int(high) + 1) if shows(n, places) == printed]
    return [int(printed)]


def shows(n: int, places: int = 1) -> str:
    """A count as the seed prints it."""
    return format_count(n, places=places)


def places_of(printed: str) -> int:
    text = printed.rstrip("%万").removeprefix("上升").removeprefix("下降")
    return len(text.partition(".")[2])


def share(part: int | Decimal, whole: int | Decimal, places: int = 2) -> str:
    return f"{percent(part, whole, places)}%"


def share_ok(part: int, whole: int, printed: str) -> bool:
    return whole > 0 and share(part, whole, places_of(printed)) == printed


def share_pool(pool: Iterable[int], whole: int, printed: str) -> list[int]:
    """The parts in pool that are the printed share of whole (cheap bounds first)."""
    low, high = percent_range(Decimal(printed.rstrip("%")), places_of(printed))
    lo, hi = Fraction(low) * whole / 100 - 1, Fraction(high) * whole / 100 + 1
    return [n for n in pool if lo <= n <= hi and share_ok(n, whole, printed)]


def growth(current: int | Decimal, previous: int | Decimal, places: int = 2) -> str:
    return format_growth(current, previous, places=places).removeprefix("环比")


def aim(pool: Sequence[int], key: str) -> int:
    """A deterministic, non-central target inside a window of candidates."""
    rng = random.Random(f"{YEAR}:{key}")
    return pool[len(pool) // 5 + rng.randrange(max(1, 3 * len(pool) // 5))]


def pick(pool: Iterable[int], target: float) -> int:
    return min(pool, key=lambda n: (abs(n - target), n))


def ranked(pool: Iterable[int], target: float) -> list[int]:
    return sorted(pool, key=lambda n: (abs(n - target), n))


def choose(printed: str, key: str) -> int:
    pool = candidates(printed)
    return pick(pool, aim(pool, key))


def jitter(key: str, spread: float) -> float:
    """A deterministic factor within 1 ± spread, so illustrative figures do not look round."""
    return 1 + random.Random(f"{YEAR}:{key}").uniform(-spread, spread)


def wan(x: float, key: str = "", spread: float = 0.0) -> int:
    """A design value in 万 as a count, varied by up to ±spread so it does not look round."""
    return round(x * 10000 * jitter(key, spread))


def whole_for(part: int, printed_share: str) -> int:
    """The total closest to part / share of which part is exactly the printed share."""
    ratio = Fraction(Decimal(printed_share.rstrip("%"))) / 100
    center = Fraction(part) / ratio
    spread = int(center / 2000) + 50
    pool = [n for n in range(int(center) - spread, int(center) + spread) if share_ok(part, n,
                                                                                     printed_share)]
    if not pool:
        raise ValueError(f"{part} 不可能占 {printed_share}")
    return pick(pool, float(center))


def part_for(whole: int, printed_share: str, target: float | None = None) -> int:
    """The part of `whole` that is the printed share, closest to target (default: exact)."""
    ratio = Fraction(Decimal(printed_share.rstrip("%"))) / 100
    center = whole * ratio
    spread = int(whole / 10000) + 10
    pool = [n for n in range(int(center) - spread, int(center) + spread) if share_ok(n, whole,
                                                                                     printed_share)]
    return pick(pool, float(center) if target is None else target)


def previous_for(current: int, printed: str) -> int:
    """The previous-year count closest to current / (1 + g) with the printed growth."""
    g = Fraction(Decimal(printed[2:].rstrip("%"))) / 100 * (1 if printed[:2] == "上升" else -1)
    center = Fraction(current) / (1 + g)
    spread = int(center / 5000) + 20
    pool = [n for n in range(int(center) - spread, int(center) + spread)
            if growth(current, n, places_of(printed)) == printed]
    return pick(pool, float(center))


def previous_amount(current: Decimal, printed: str) -> Decimal:
    """The previous-year amount with the fewest decimals whose growth, to two decimals, is the
    printed one (a one-decimal print "630.8%" is taken as 630.80%)."""
    number = Decimal(printed[2:].rstrip("%")).quantize(Decimal("0.01"))
    wanted = f"{printed[:2]}{number}%"
    center = Fraction(current) / (1 + Fraction(number) / 100)
    for places in range(1, 8):
        step = Fraction(1, 10**places)
        base = round(center / step)
        pool = [Decimal(base + k).scaleb(-places) for k in range(-3, 4)]
        good = [p for p in pool if growth(current, p) == wanted]
        if good:
            return min(good, key=lambda p: abs(Fraction(p) - center))
    raise ValueError(printed)


def apportion(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split total in proportion to weights by largest remainder (exact sum)."""
    w = {k: Fraction(str(v)) for k, v in weights.items()}
    whole = sum(w.values())
    raw = {k: total * v / whole for k, v in w.items()}
    out = {k: int(v) for k, v in raw.items()}
    order = sorted(raw, key=lambda k: (-(raw[k] - out[k]), k))
    for k in order[: total - sum(out.values())]:
        out[k] += 1
    return out


def fill_sum(pools: Sequence[Sequence[int]], total: int) -> list[int] | None:
    """One value from each pool (tried in order) adding up to total, or None."""
    if not pools:
        return [] if total == 0 else None
    rest_low = sum(min(p) for p in pools[1:])
    rest_high = sum(max(p) for p in pools[1:])
    for value in pools[0]:
        if rest_low <= total - value <= rest_high:
            tail = fill_sum(pools[1:], total - value)
            if tail is not None:
                return [value, *tail]
    return None


# ── 总量, 承办单位, 功能区, 各区 ────────────────────────────────────────────────────────────


@dataclass
class Figures:
    """Every figure chosen, by sheet; filled step by step."""

    totals: dict[str, int] = field(default_factory=dict)
    previous: dict[str, int] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)
    zone_direct: dict[str, int] = field(default_factory=dict)
    zone_own: dict[str, int] = field(default_factory=dict)
    district_direct: dict[str, int] = field(default_factory=dict)
    district_own: dict[str, int] = field(default_factory=dict)
    type_months: dict[str, dict[int, int]] = field(default_factory=dict)
    categories: dict[str, dict[str, int]] = field(default_factory=dict)
    type_districts: dict[str, dict[str, int]] = field(default_factory=dict)
    hots: dict[str, HotFigures] = field(default_factory=dict)
    zone_categories: dict[str, dict[str, int]] = field(default_factory=dict)
    streets: list[tuple[str, str, int]] = field(default_factory=list)
    departments: list[tuple[str, int]] = field(default_factory=list)
    firms: list[tuple[str, int]] = field(default_factory=list)
    rates: list[tuple[str, str, float, float]] = field(default_factory=list)
    indicators: dict[str, tuple[Decimal | None, Decimal | str | None]] = field(
        default_factory=dict)


@dataclass
class HotFigures:
    count: int
    previous: int
    direct: int
    units: dict[str, int]
    districts: dict[str, int]
    subtopics: dict[str, int]
    months: dict[str, list[int]]  # "" = the whole category


def zone_direct_pools() -> list[list[int]]:
    return [candidates(z[1]) for z in ZONES.values()]


def solve_units(f: Figures) -> None:
    """承办单位: shares of their sum, which is 派单处理; 街乡镇 is also Σ 直派街乡镇 of the zones."""
    zone_pools = zone_direct_pools()
    low, high = sum(min(p) for p in zone_pools), sum(max(p) for p in zone_pools)
    dispatched = candidates(TOTALS["派单处理"][0])
    for total in ranked(dispatched, aim(dispatched, "派单处理")):
        pools = []
        for name, (count, pct) in UNITS.items():
            pool = share_pool(candidates(count), total, pct)
            if name == "街乡镇":
                pool = [n for n in pool if low <= n <= high]
            pools.append(ranked(pool, aim(pool, name)) if pool else [])
        if all(pools) and (found := fill_sum(pools, total)):
            f.units = dict(zip(UNITS, found, strict=True))
            f.totals["派单处理"] = total
            return
    raise ValueError("承办单位无解")


def solve_pairs(f: Figures) -> None:
    """直接解答 beside 派单处理, and 电话/网络 of the same sum (both pairs are 1006.7万)."""
    p = f.totals["派单处理"]
    pool = [d for d in candidates(TOTALS["直接解答"][0]) if _pair_ok(d, p, "直接解答", "派单处理")]
    for d in ranked(pool, aim(pool, "直接解答")):
        phones = _phone_pool(d + p)
        if phones:
            f.totals["直接解答"] = d
            f.totals["电话反映"] = pick(phones, aim(phones, "电话反映"))
            f.totals["网络反映"] = d + p - f.totals["电话反映"]
            break
    else:
        raise ValueError("电话反映、网络反映无解")
    a, b = _desk_parts()
    f.totals.update({"企业专席直接解答": a, "企业专席派单": b, "企业专席受理": a + b})


def _pair_ok(a: int, b: int, name_a: str, name_b: str) -> bool:
    return share_ok(a, a + b, PAIR_SHARES[name_a]) and share_ok(b, a + b, PAIR_SHARES[name_b])


def _phone_pool(both: int) -> list[int]:
    net = set(candidates(TOTALS["网络反映"][0]))
    phones = share_pool(candidates(TOTALS["电话反映"][0]), both, PAIR_SHARES["电话反映"])
    return [t for t in phones if both - t in net and _pair_ok(t, both - t, "电话反映", "网络反映")]


def _desk_parts() -> tuple[int, int]:
    """企业专席: two parts printing right, whose sum prints right, with their printed shares."""
    desk = set(candidates(TOTALS["企业专席受理"][0]))
    second = set(candidates(TOTALS["企业专席派单"][0]))
    first_share, second_share = PAIR_SHARES["企业专席直接解答"], PAIR_SHARES["企业专席派单"]
    pool = candidates(TOTALS["企业专席直接解答"][0])
    for a in ranked(pool, aim(pool, "企业专席")):
        center = int(Fraction(a) / (Fraction(Decimal(first_share.rstrip("%"))) / 100))
        for total in range(center - 20, center + 21):
            b = total - a
            if total in desk and b in second and share_ok(a, total, first_share) \
                    and share_ok(b, total, second_share):
                return a, b
    raise ValueError("企业专席无解")


def solve_growth_rows(f: Figures) -> None:
    for name in ("受理总量", "办理诉求"):
        count, grown = TOTALS[name]
        f.totals[name] = choose(count, name)
        f.previous[name] = previous_for(f.totals[name], grown or "")


def solve_zones(f: Figures) -> None:
    """Zone 直派 adding up to 街乡镇; zone 区级部门 so each zone's sum and share print right."""
    pools = [ranked(p, aim(p, z)) for p, z in zip(zone_direct_pools(), ZONES, strict=True)]
    direct = fill_sum(pools, f.units["街乡镇"])
    if direct is None:
        raise ValueError("直派街乡镇无解")
    f.zone_direct = dict(zip(ZONES, direct, strict=True))
    own_pools = []
    for zone, (total, _, printed_own, _) in ZONES.items():
        pool = [q for q in candidates(printed_own) if shows(f.zone_direct[zone] + q, 2) == total]
        own_pools.append(ranked(pool, aim(pool, zone + "区级")))
    for owns in _products(own_pools):
        sums = [d + q for d, q in zip(direct, owns, strict=True)]
        if all(share_ok(s, sum(sums), z[3]) for s, z in zip(sums, ZONES.values(), strict=True)):
            f.zone_own = dict(zip(ZONES, owns, strict=True))
            return
    raise ValueError("功能区无解")


def _products(pools: Sequence[Sequence[int]]) -> Iterator[list[int]]:
    if not pools:
        yield []
        return
    for head in pools[0]:
        for tail in _products(pools[1:]):
            yield [head, *tail]


def per_10k(total: int, district: str) -> Decimal:
    return percent(total, Decimal(str(POPULATION[district])) * 100, 0)


def district_total(district: str) -> int:
    if district in DISTRICT_TOTALS:
        return choose(DISTRICT_TOTALS[district], district)
    if district in PER_10K:
        target = Decimal(PER_10K[district])
        center = float(target) * POPULATION[district]
        pool = [n for n in range(int(center) - 200, int(center) + 200)
                if per_10k(n, district) == target]
        return pick(pool, aim(pool, district))
    design = DISTRICT_DESIGN[district]
    if isinstance(design, tuple):
        return wan(design[1] * POPULATION[district] / 10000, district, 0.002)
    return wan(design, district, 0.01)


def solve_districts(f: Figures) -> None:
    for zone, districts in ZONE_DISTRICTS.items():
        residual = ZONE_RESIDUAL[zone]
        totals = {d: district_total(d) for d in districts if d != residual}
        totals[residual] = f.zone_direct[zone] + f.zone_own[zone] - sum(totals.values())
        fraction = f.zone_direct[zone] / (f.zone_direct[zone] + f.zone_own[zone])
        direct = {d: round(t * fraction * (1 + random.Random(f"{YEAR}:{d}直派").uniform(
            -SPLIT_JITTER, SPLIT_JITTER))) for d, t in totals.items() if d != residual}
        direct[residual] = f.zone_direct[zone] - sum(direct.values())
        for d in districts:
            f.district_direct[d] = direct[d]
            f.district_own[d] = totals[d] - direct[d]


def district_sum(f: Figures, d: str) -> int:
    return f.district_direct[d] + f.district_own[d]


# ── 类型月度, 类型分类, 类型各区 ──────────────────────────────────────────────────────────


def solve_type_months(f: Figures) -> None:
    for kind, pins in TYPE_MONTHS.items():
        pinned = {m: choose(text, f"{kind}{m}月") for m, (text, _) in pins.items()}
        share_month, (_, pct) = next((m, p) for m, p in pins.items() if p[1])
        total = whole_for(pinned[share_month], pct or "")
        design = TYPE_MONTH_DESIGN[kind]
        weights = {str(m): design[m - 1] * jitter(f"{kind}{m}", 0.015)
                   for m in MONTHS if m not in pins}
        rest = apportion(total - sum(pinned.values()), weights)
        f.type_months[kind] = {m: pinned[m] if m in pins else rest[str(m)] for m in MONTHS}


def type_total(f: Figures, kind: str) -> int:
    return sum(f.type_months[kind].values())


def solve_categories(f: Figures) -> None:
    """类型分类: design cells, top shares, rows adding to 热点, the rest in 其他."""
    hot = {name: h.count for name, h in f.hots.items()}
    m: dict[str, dict[str, int | None]] = {
        c: {k: (wan(v, f"{c}{k}", 0.004) if isinstance(v, float) else None)
            for k, v in zip(CALL_TYPES, row, strict=True)}
        for c, row in CATEGORY_DESIGN.items()}
    for kind, (category, pct) in TYPE_TOP.items():
        m[category][kind] = part_for(type_total(f, kind), pct)
    _fill_row(m, "市场管理", "咨询", hot)
    for category, offset in Z_OFFSETS.items():
        m[category]["咨询"] = (m["市场管理"]["咨询"] or 0) + wan(offset) + _nudge(category, 150)
    _fill_row(m, "公共服务", "诉求", hot)
    _fill_row(m, "教育", "诉求", hot)
    high, low = m["公共服务"]["诉求"] or 0, m["教育"]["诉求"] or 0
    for i, category in enumerate(S_SPREAD, start=1):
        m[category]["诉求"] = high - (high - low) * i // (len(S_SPREAD) + 1) + _nudge(category, 250)
    for category, kind in LATE_ROWS:
        _fill_row(m, category, kind, hot)
    for kind in CALL_TYPES:
        m["其他"][kind] = type_total(f, kind) - sum(m[c][kind] or 0 for c in m if c != "其他")
    f.categories = {c: {k: int(v or 0) for k, v in row.items()} for c, row in m.items()}


def _nudge(key: str, most: int) -> int:
    return random.Random(f"{YEAR}:{key}:nudge").randint(-most, most)


def _fill_row(m: dict[str, dict[str, int | None]], category: str, kind: str,
              hot: Mapping[str, int]) -> None:
    m[category][kind] = hot[category] - sum(v or 0 for k, v in m[category].items() if k != kind)


def solve_type_districts(f: Figures) -> None:
    for kind in CALL_TYPES:
        weights = dict(DISTRICT_CALL_WEIGHTS)
        if kind == "表扬":
            weights.update(PRAISE_WEIGHTS)
        lead = set(TYPE_DISTRICT_TOP3[kind])
        for d in weights:
            if d not in lead:
                weights[d] *= 1 + random.Random(f"{YEAR}:{kind}{d}").uniform(-0.06, 0.06)
        f.type_districts[kind] = apportion(type_total(f, kind), weights)


# ── 热点 ──────────────────────────────────────────────────────────────────────────────────


def solve_hot(f: Figures, h: Hot) -> HotFigures:
    count, direct, lead = _hot_counts(h)
    units = _hot_units(h, count - direct, lead)
    districts = _hot_districts(f, h, count - direct)
    subtopics = _hot_subtopics(h, count)
    months = _hot_months(h, count, subtopics)
    return HotFigures(count, previous_for(count, h.growth), direct, units, districts, subtopics,
                      months)


def _hot_counts(h: Hot) -> tuple[int, int, int]:
    """本年, 直接答复 and the leading unit's count, printing right together."""
    pool = candidates(h.count)
    for count in ranked(pool, aim(pool, h.name)):
        directs = share_pool(candidates(h.direct), count, h.direct_share)
        if not directs:
            continue
        for direct in ranked(directs, aim(directs, h.name + "直接")):
            leads = share_pool(candidates(h.unit[1]), count - direct, h.unit[2])
            if leads:
                return count, direct, pick(leads, aim(leads, h.name + h.unit[0]))
    raise ValueError(f"热点{h.name}无解")


def _hot_units(h: Hot, dispatched: int, lead: int) -> dict[str, int]:
    design = HOT_UNIT_DESIGN[h.name]
    units = {h.unit[0]: lead}
    units.update({u: wan(v, h.name + u, 0.02) for u, v in design.items() if isinstance(v, float)})
    residual = next(u for u, v in design.items() if v == ROW)
    units[residual] = dispatched - sum(units.values())
    return {u: units[u] for u in UNITS}


def _hot_districts(f: Figures, h: Hot, dispatched: int) -> dict[str, int]:
    leader, printed, pct = h.district
    pool = candidates(printed)
    lead = pick(pool, aim(pool, h.name + leader))
    total = whole_for(lead, pct)
    if total > dispatched:
        raise ValueError(f"热点{h.name}各区合计大于承办合计")
    plain, eco = HOT_ZONE_DESIGN[h.name]
    zone_totals = {"平原新城": wan(plain, h.name + "平原", 0.01),
                   "生态涵养区": wan(eco, h.name + "生态", 0.01)}
    zone_totals["中心城区及副中心"] = total - sum(zone_totals.values())
    out: dict[str, int] = {}
    for zone, districts in ZONE_DISTRICTS.items():
        out.update(_spread_zone(f, h.name, zone_totals[zone], districts, leader, lead))
    return {d: out[d] for d in DISTRICTS}


def _spread_zone(f: Figures, topic: str, total: int, districts: Sequence[str], leader: str,
                 lead: int) -> dict[str, int]:
    fixed = {leader: lead} if leader in districts else {}
    flat = topic in FLAT_TOPICS
    weights = {d: (FLAT_CENTRAL.get(d, 1.0) if flat else district_sum(f, d))
               * jitter(topic + d, 0.05) for d in districts if d not in fixed}
    return {**fixed, **apportion(total - sum(fixed.values()), weights)}


def _hot_subtopics(h: Hot, count: int) -> dict[str, int]:
    first = h.subtopics[0]
    month_pins = HOT_MONTHS.get((h.name, first), {})
    month_share = next(((m, p) for m, p in month_pins.items() if p[1]), None)
    if month_share is None:
        size = part_for(count, h.first_share, aim(candidates_share(count, h.first_share), first))
    else:
        size = _subtopic_with_month(h, count, month_share[1])
    rest = SUBTOPIC_SHARES[h.name]
    out = {first: size}
    out.update({s: wan(count * r / 10000, h.name + s, 0.03)
                for s, r in zip(h.subtopics[1:], rest, strict=True)})
    return out


def candidates_share(whole: int, printed: str) -> list[int]:
    ratio = Fraction(Decimal(printed.rstrip("%"))) / 100
    center = int(whole * ratio)
    return [n for n in range(center - 200, center + 200) if share_ok(n, whole, printed)]


def _subtopic_with_month(h: Hot, count: int, month: tuple[str, str | None]) -> int:
    """A sub-topic whose year is a printed share of the category and whose printed month is a
    printed share of its year (房产中介: 24.43% of 住房, 11月 3.6万 = 25.98%)."""
    printed, pct = month
    months = candidates(printed)
    for size in ranked(candidates_share(count, h.first_share), count):
        if share_pool(months, size, pct or ""):
            return size
    raise ValueError(f"{h.name}子类无解")


def _hot_months(h: Hot, count: int, subtopics: Mapping[str, int]) -> dict[str, list[int]]:
    series = {s: _subtopic_months(h.name, s, n) for s, n in subtopics.items()}
    rest = apportion(count - sum(subtopics.values()), _shape(CATEGORY_SHAPE[h.name], h.name))
    whole = [rest[str(m)] + sum(v[m - 1] for v in series.values()) for m in MONTHS]
    shown = {s: series[s] for s in HOT_MONTH_ROWS[h.name]}
    return {"": whole, **shown}


def _shape(name: str, key: str, skip: Iterable[int] = ()) -> dict[str, float]:
    skipped = set(skip)
    return {str(m): w * jitter(f"{key}{m}", 0.04)
            for m, w in zip(MONTHS, SHAPES[name], strict=True) if m not in skipped}


def _subtopic_months(topic: str, sub: str, total: int) -> list[int]:
    pins = HOT_MONTHS.get((topic, sub), {})
    pinned: dict[int, int] = {}
    for m, (printed, pct) in pins.items():
        pool = [v for v in candidates(printed) if pct is None or share_ok(v, total, pct)]
        pinned[m] = pick(pool, aim(pool, f"{topic}{sub}{m}月"))
    shape = SUBTOPIC_SHAPE.get(sub, CATEGORY_SHAPE[topic])
    rest = apportion(total - sum(pinned.values()), _shape(shape, topic + sub, pins))
    return [pinned.get(m, rest.get(str(m), 0)) for m in MONTHS]


def solve_zone_categories(f: Figures) -> None:
    for zone, districts in ZONE_DISTRICTS.items():
        values = {c: sum(f.hots[c].districts[d] for d in districts) for c in f.hots}
        values.update({c: wan(v, zone + c, 0.01) for c, v in ZONE_OTHER_DESIGN[zone].items()})
        f.zone_categories[zone] = {c: values[c] for c in ZONE_TOP_TEN[zone]}


# ── 街乡镇, 部门, 企业, 办理率, 指标 ────────────────────────────────────────────────────────


def solve_lists(f: Figures) -> None:
    district, street, printed = STREET_FIRST
    f.streets = [(district, street, int(printed))]
    f.streets += [(d, s, wan(v, d + s, 0.02)) for d, s, v in STREET_DESIGN]
    f.departments = [(name, choose(printed, name)) for name, printed in CITY_DEPARTMENTS]
    f.firms = [(name, choose(printed, name)) for name, printed in STATE_FIRMS]


def solve_rates(f: Figures) -> None:
    f.rates = [("全市", "全市", float(RATES_CITY[0]), float(RATES_CITY[1]))]
    residual = (_residual_rate(f, 0), _residual_rate(f, 1))
    for unit, pair in UNIT_RATES.items():
        solved, satisfied = pair or residual
        f.rates.append(("单位类型", unit, solved, satisfied))
    f.rates += [("区", d, *DISTRICT_RATES[d]) for d in DISTRICTS]
    f.rates += [("问题类别", c, *CATEGORY_RATES[c]) for c in CATEGORY_DESIGN if c != "其他"]


def _residual_rate(f: Figures, index: int) -> float:
    """区分中心's rate such that the five unit types, weighted by 承办量, give the city's."""
    city = Decimal(RATES_CITY[index])
    known = {u: r[index] for u, r in UNIT_RATES.items() if r}
    rest = sum(Fraction(str(v)) * f.units[u] for u, v in known.items())
    exact = (Fraction(city) * sum(f.units.values()) - rest) / f.units["区分中心"]
    for step in sorted(range(-5, 6), key=abs):
        rate = round(float(exact), 2) + step / 100
        if weighted_rate(f.units, {**known, "区分中心": rate}) == city:
            return round(rate, 2)
    raise ValueError("区分中心办理率无解")


def weighted_rate(units: Mapping[str, int], rates: Mapping[str, float]) -> Decimal:
    """The rate of all units together, each unit's rate weighted by its 承办量."""
    weighted = sum((Fraction(str(rates[u])) * n for u, n in units.items()), Fraction(0))
    return percent(weighted.numerator, weighted.denominator * sum(units.values()) * 100)


def solve_indicators(f: Figures) -> None:
    for name, (value, grown, _, _) in INDICATORS.items():
        current = Decimal(value) if value is not None else None
        if grown and grown != NA and current is not None:
            f.indicators[name] = (current, previous_amount(current, grown))
        else:
            f.indicators[name] = (current, grown)


def solve() -> Figures:
    f = Figures()
    solve_units(f)
    solve_pairs(f)
    solve_growth_rows(f)
    solve_zones(f)
    solve_districts(f)
    solve_type_months(f)
    f.hots = {h.name: solve_hot(f, h) for h in HOTS}
    solve_categories(f)
    solve_type_districts(f)
    solve_zone_categories(f)
    solve_lists(f)
    solve_rates(f)
    solve_indicators(f)
    return f


# ══ Part 4. The workbook ═════════════════════════════════════════════════════════════════════

Rows = list[dict[str, Any]]


def sheets(f: Figures) -> dict[str, Rows]:
    return {
        "基本信息": [{"项目": "年度", "内容": YEAR}, {"项目": "地区", "内容": REGION}],
        "指标": indicator_rows(f),
        "总量": [{"项目": k, "本年": f.totals[k], "上年": f.previous.get(k, NA)} for k in TOTALS],
        "类型分类": [{"问题类别": c, **row} for c, row in f.categories.items()],
        "类型月度": [{"月份": m, **{k: f.type_months[k][m] for k in CALL_TYPES}} for m in MONTHS],
        "类型各区": [{"区": d, **{k: f.type_districts[k][d] for k in CALL_TYPES}}
                     for d in DISTRICTS],
        "各区": [{"区": d, "功能区": zone_of(d), "常住人口": POPULATION[d],
                  "直派街乡镇": f.district_direct[d], "区级部门": f.district_own[d]}
                 for d in DISTRICTS],
        "承办单位": [{"单位类型": u, "承办量": n} for u, n in f.units.items()],
        "功能区分类": [{"功能区": z, "问题类别": c, "承办量": n}
                       for z, row in f.zone_categories.items() for c, n in row.items()],
        "街乡镇": [{"区": d, "街乡镇": s, "承办量": n} for d, s, n in f.streets],
        "市级部门": [{"部门": d, "承办量": n} for d, n in f.departments],
        "国有企业": [{"企业": d, "承办量": n} for d, n in f.firms],
        "热点": [{"问题类别": c, "本年": h.count, "上年": h.previous, "直接答复": h.direct}
                 for c, h in f.hots.items()],
        "热点子类": [{"问题类别": c, "子类": s, "反映量": n}
                     for c, h in f.hots.items() for s, n in h.subtopics.items()],
        "热点月度": [{"问题类别": c, "子类": s or None,
                      **{f"{m}月": v for m, v in zip(MONTHS, series, strict=True)}}
                     for c, h in f.hots.items() for s, series in h.months.items()],
        "热点承办单位": [{"问题类别": c, "单位类型": u, "承办量": n}
                         for c, h in f.hots.items() for u, n in h.units.items()],
        "热点各区": [{"问题类别": c, "区": d, "承办量": n}
                     for c, h in f.hots.items() for d, n in h.districts.items()],
        "办理率": rate_rows(f),
        "公布值": [{"指标": p.key, "公布值": p.printed, "出处": p.source} for p in published(f)],
    }


def zone_of(district: str) -> str:
    return next(z for z, ds in ZONE_DISTRICTS.items() if district in ds)


def indicator_rows(f: Figures) -> Rows:
    rows = []
    for name, (_, _, unit, source) in INDICATORS.items():
        current, previous = f.indicators[name]
        rows.append({"指标": name, "本年": _amount(current), "上年": _amount(previous),
                     "单位": unit, "说明": f"原文：{source}"})
    return rows


def _amount(value: Decimal | str | None) -> int | float | str | None:
    if value is None or isinstance(value, str):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def rate_rows(f: Figures) -> Rows:
    rows = []
    for scope, name, solved, satisfied in f.rates:
        last = None if scope == "全市" else NA
        rows.append({"范围": scope, "名称": name, "解决率": solved, "满意率": satisfied,
                     "上年解决率": last, "上年满意率": last})
    return rows


# ── 公布值: every derived figure the seed prints, with how to recompute it ────────────────────


@dataclass(frozen=True)
class Published:
    key: str
    printed: str
    source: str
    compute: Callable[[], str]


def published(f: Figures) -> list[Published]:
    found = [*_published_totals(f), *_published_types(f), *_published_units(f),
             *_published_hots(f)]
    return [Published(p.key, p.printed, SOURCE_WORDING.get(p.key, p.source), p.compute)
            for p in found]


def _published_totals(f: Figures) -> list[Published]:
    t = f.totals
    out = [Published(f"总量.{k}.增幅", g or "", f"{TOTALS[k][0]}件,环比{g}",
                     lambda k=k, g=g: growth(t[k], f.previous[k], places_of(g or "")))
           for k, (_, g) in TOTALS.items() if g]
    pairs = (("电话反映", "网络反映"), ("直接解答", "派单处理"), ("企业专席直接解答", "企业专席派单"))
    for a, b in pairs:
        for k in (a, b):
            out.append(Published(f"总量.{k}.占比", PAIR_SHARES[k],
                                 f"{k.removeprefix('企业专席')}{TOTALS[k][0]}件、占比{PAIR_SHARES[k]}",
                                 lambda k=k, a=a, b=b: share(t[k], t[a] + t[b])))
    for name, (_, g, _, source) in INDICATORS.items():
        if g and g != NA:
            out.append(Published(f"指标.{name}.增幅", g, source,
                                 lambda name=name, g=g: growth(*_indicator_pair(f, name),
                                                               places_of(g))))
    return out


def _indicator_pair(f: Figures, name: str) -> tuple[Decimal, Decimal]:
    current, previous = f.indicators[name]
    assert current is not None and isinstance(previous, Decimal)
    return current, previous


def _published_types(f: Figures) -> list[Published]:
    out = []
    for kind, (category, pct) in TYPE_TOP.items():
        out.append(Published(f"类型.{kind}.{category}.占比", pct,
                             f"其中,{kind}比例最高为{category}类,占{kind}总量的{pct}",
                             lambda k=kind, c=category: share(f.categories[c][k],
                                                              _category_sum(f, k))))
        for m, (printed, month_pct) in TYPE_MONTHS[kind].items():
            if month_pct:
                out.append(Published(f"类型.{kind}.{m}月.占比", month_pct,
                                     f"{m}月……为{printed}件，全年占比为{month_pct}",
                                     lambda k=kind, m=m: share(f.type_months[k][m],
                                                               type_total(f, k))))
    return out


def _category_sum(f: Figures, kind: str) -> int:
    return sum(row[kind] for row in f.categories.values())


def _published_units(f: Figures) -> list[Published]:
    out = [Published(f"承办单位.{u}.占比", pct, f"{u}承办{count}件,占比{pct}",
                     lambda u=u: share(f.units[u], sum(f.units.values())))
           for u, (count, pct) in UNITS.items()]
    for zone, (total, direct, own, pct) in ZONES.items():
        ds = ZONE_DISTRICTS[zone]
        out += [
            Published(f"功能区.{zone}.承办量", total, f"{zone}承办诉求{total}件",
                      lambda ds=ds: shows(sum(district_sum(f, d) for d in ds), 2)),
            Published(f"功能区.{zone}.直派街乡镇", direct, f"其中直派街乡镇{direct}件",
                      lambda ds=ds: shows(sum(f.district_direct[d] for d in ds), 2)),
            Published(f"功能区.{zone}.区级部门", own, f"区级部门承办{own}件",
                      lambda ds=ds: shows(sum(f.district_own[d] for d in ds), 2)),
            Published(f"功能区.{zone}.占比", pct, f"{zone}承办……占全市各区承办量的{pct}",
                      lambda ds=ds: share(sum(district_sum(f, d) for d in ds),
                                          sum(district_sum(f, d) for d in DISTRICTS))),
        ]
    out += [Published(f"各区.{d}.承办量", p, f"{d}，共承办{p}件",
                      lambda d=d: shows(district_sum(f, d))) for d, p in DISTRICT_TOTALS.items()]
    out += [Published(f"各区.{d}.万人承办量", p, f"{d}万人承办量……{p}件",
                      lambda d=d: str(per_10k(district_sum(f, d), d)))
            for d, p in PER_10K.items()]
    return out


def _published_hots(f: Figures) -> list[Published]:
    out = []
    for h in HOTS:
        x = f.hots[h.name]
        unit, district, first = h.unit[0], h.district[0], h.subtopics[0]
        out += [
            Published(f"热点.{h.name}.增幅", h.growth, f"{h.name}类问题共反映{h.count}件,环比{h.growth}",
                      lambda x=x, g=h.growth: growth(x.count, x.previous, places_of(g))),
            Published(f"热点.{h.name}.直接答复占比", h.direct_share,
                      f"{h.name}直接答复{h.direct}件,占比为{h.direct_share}",
                      lambda x=x: share(x.direct, x.count)),
            Published(f"热点.{h.name}.承办.{unit}.占比", h.unit[2],
                      f"承办单位中,{unit}承办数量最多,为{h.unit[1]}件,占各单位承办总量的{h.unit[2]}",
                      lambda x=x, u=unit: share(x.units[u], sum(x.units.values()))),
            Published(f"热点.{h.name}.各区.{district}.占比", h.district[2],
                      f"{district}承办{h.name}问题最多,为{h.district[1]}件,占各区承办总量的{h.district[2]}",
                      lambda x=x, d=district: share(x.districts[d], sum(x.districts.values()))),
            Published(f"热点.{h.name}.子类.{first}.占比", h.first_share,
                      f"其中,{first}占比最大,为{h.first_share}",
                      lambda x=x, s=first: share(x.subtopics[s], x.count)),
        ]
    for (topic, sub), pins in HOT_MONTHS.items():
        for m, (printed, pct) in pins.items():
            if pct:
                out.append(Published(f"热点.{topic}.子类.{sub}.{m}月.占比", pct,
                                     f"{sub}问题于{m}月反映明显上升,为{printed}件,占全年的{pct}",
                                     lambda t=topic, s=sub, m=m: share(
                                         f.hots[t].months[s][m - 1], f.hots[t].subtopics[s])))
    return out


# ── 说明: the illustrative cells, by real cell range ───────────────────────────────────────────


def col(sheet_name: str, header: str) -> str:
    headers = [c.header for c in sheet(sheet_name).columns]
    return get_column_letter(headers.index(header) + 1)


def span(sheet_name: str, first: str, last: str, start: int, count: int) -> str:
    """A range over `count` data rows from data row `start` (0-based)."""
    top = FIRST_DATA_ROW + start
    return f"{sheet_name}!{col(sheet_name, first)}{top}:{col(sheet_name, last)}{top + count - 1}"


def notes(data: Mapping[str, Rows]) -> Rows:
    n = {name: len(rows) for name, rows in data.items()}
    hot_month_rows = data["热点月度"]
    return [
        {"单元格": span("类型分类", "咨询", "表扬", 0, n["类型分类"]),
         "说明": "示意值。原文只给出各类来电的前十类顺序和最高类占比（已满足）；热点十类中八类的"
                 "五类来电合计等于其《热点》本年数，城乡建设、社会秩序无法做到（见公布值核对）；"
                 "“其他”为各类来电总量减去具名类别后的余数。"},
        {"单元格": span("类型月度", "咨询", "表扬", 0, 12),
         "说明": "示意值。原文给出的月份（咨询4月，诉求2月、11月，建议2月、12月，投诉8月、12月，"
                 "表扬8月、2月）及其全年占比取自原文，其余月份按原文所述走势示意，合计即各类全年量。"},
        {"单元格": span("类型各区", "咨询", "表扬", 0, n["类型各区"]),
         "说明": "示意值。仅各类来电集中的前三个区及其顺序取自原文。"},
        {"单元格": span("各区", "常住人口", "常住人口", 0, n["各区"]),
         "说明": "2019年末常住人口（万人），按北京市统计局公布数填写，需按统计局公布数核对。"},
        {"单元格": span("各区", "直派街乡镇", "区级部门", 0, n["各区"]),
         "说明": "示意值。各功能区的直派街乡镇、区级部门合计，朝阳区、延庆区的承办量，门头沟区、"
                 "昌平区的万人承办量及其余排序取自原文；各区内部的拆分为示意。"},
        {"单元格": span("功能区分类", "承办量", "承办量", 0, n["功能区分类"]),
         "说明": "示意值。仅各功能区前十类问题的顺序取自原文；热点十类的数为《热点各区》按功能区合计。"},
        {"单元格": span("街乡镇", "区", "承办量", 1, n["街乡镇"] - 1),
         "说明": "示意值。原文只给出丰台区新村街道18031件，其后四个街乡镇的名次（均在12000件以上），"
                 "以及前十位的区分布（丰台5、通州2、昌平2、大兴1）；第六至十位的街乡镇名称为虚拟示意。"},
        {"单元格": span("热点子类", "反映量", "反映量", 0, n["热点子类"]),
         "说明": "示意值。每类第一个子类的反映量按原文占比求得，其余子类为示意值（按原文所列顺序递减）。"},
        {"单元格": span("热点月度", "1月", "12月", 0, len(hot_month_rows)),
         "说明": "示意值。原文给出的月份数（如房产中介11月3.6万件、占全年25.98%）及峰值月份取自原文，"
                 "其余按原文所述走势示意；整类行等于各子类之和加其余问题。"},
        {"单元格": span("热点承办单位", "承办量", "承办量", 0, n["热点承办单位"]),
         "说明": "示意值。每类承办最多的单位类型的件数和占比取自原文，其余单位类型为示意值；"
                 "五类单位合计等于本年减直接答复。"},
        {"单元格": span("热点各区", "承办量", "承办量", 0, n["热点各区"]),
         "说明": "示意值。每类承办最多的区的件数和占比取自原文，其余各区为示意值。"},
        {"单元格": span("办理率", "解决率", "满意率", 1, n["办理率"] - 1),
         "说明": "示意值。仅全市解决率、满意率取自原文；单位类型（国有企业最高、其次街乡镇）、"
                 "各区（怀柔区最高、其次大兴区、顺义区）和问题类别（满意率均高于解决率）为示意值；"
                 "区分中心一行使五类单位按承办量加权后等于全市数。"},
    ]


def build_data(f: Figures) -> dict[str, Rows]:
    data = sheets(f)
    data["说明"] = notes(data)
    return data


# ══ Part 5. Recompute what the seed prints ════════════════════════════════════════════════════


@dataclass(frozen=True)
class Check:
    what: str
    printed: str
    computed: str

    @property
    def ok(self) -> bool:
        return self.printed == self.computed


def verify(f: Figures) -> list[Check]:
    checks = [Check(p.key, p.printed, p.compute()) for p in published(f)]
    for make in (_check_counts, _check_sums, _check_types, _check_districts, _check_hots,
                 _check_lists):
        checks += make(f)
    return checks


def _printed_count(what: str, value: int, printed: str) -> Check:
    return Check(what, printed, printed if value in candidates(printed) else shows(value))


def _check_counts(f: Figures) -> list[Check]:
    out = [_printed_count(f"总量.{k}", f.totals[k], p) for k, (p, _) in TOTALS.items()]
    out += [_printed_count(f"承办单位.{u}", f.units[u], p) for u, (p, _) in UNITS.items()]
    for kind, pins in TYPE_MONTHS.items():
        out += [_printed_count(f"类型.{kind}.{m}月", f.type_months[kind][m], p)
                for m, (p, _) in pins.items()]
    for h in HOTS:
        x = f.hots[h.name]
        out += [_printed_count(f"热点.{h.name}.本年", x.count, h.count),
                _printed_count(f"热点.{h.name}.直接答复", x.direct, h.direct),
                _printed_count(f"热点.{h.name}.承办.{h.unit[0]}", x.units[h.unit[0]], h.unit[1]),
                _printed_count(f"热点.{h.name}.各区.{h.district[0]}", x.districts[h.district[0]],
                               h.district[1])]
    for (topic, sub), pins in HOT_MONTHS.items():
        out += [_printed_count(f"热点.{topic}.{sub}.{m}月", f.hots[topic].months[sub][m - 1], p)
                for m, (p, _) in pins.items()]
    return out


def _equal(what: str, left: int, right: int) -> Check:
    return Check(what, str(right), str(left))


def _check_sums(f: Figures) -> list[Check]:
    t = f.totals
    calls = sum(type_total(f, k) for k in CALL_TYPES)
    own = sum(f.district_own.values())
    return [
        Check("电话反映+网络反映 = 受理总量", TOTALS["受理总量"][0], shows(t["电话反映"] + t["网络反映"])),
        Check("直接解答+派单处理 = 受理总量", TOTALS["受理总量"][0], shows(t["直接解答"] + t["派单处理"])),
        Check("五类来电各月合计 = 受理总量", TOTALS["受理总量"][0], shows(calls)),
        Check("诉求类各月合计 = 办理诉求", TOTALS["办理诉求"][0], shows(type_total(f, "诉求"))),
        _equal("五类承办单位合计 = 派单处理", sum(f.units.values()), t["派单处理"]),
        _equal("企业专席两项 = 企业专席受理", t["企业专席直接解答"] + t["企业专席派单"], t["企业专席受理"]),
        _equal("各区直派街乡镇合计 = 街乡镇承办", sum(f.district_direct.values()), f.units["街乡镇"]),
        Check("各区区级部门合计 = 16个区（区分中心）承办", UNITS["区分中心"][0],
              f"{shows(own)}（{shows(own, 2)}）"),
    ]


def _order(values: Mapping[str, int], exclude: Iterable[str] = ()) -> tuple[str, ...]:
    skip = set(exclude)
    return tuple(sorted((k for k in values if k not in skip), key=lambda k: -values[k]))


def _check_types(f: Figures) -> list[Check]:
    out = []
    for kind in CALL_TYPES:
        column = {c: row[kind] for c, row in f.categories.items()}
        top = TYPE_TOP_TEN[kind]
        out.append(Check(f"{kind}前十类（不计其他）", "、".join(top),
                         "、".join(_order(column, ["其他"])[: len(top)])))
        out.append(Check(f"{kind}：其他少于最高类", "是", "是" if column["其他"] < column[top[0]]
                         else f"否（其他{shows(column['其他'])}，{top[0]}{shows(column[top[0]])}）"))
        months = f.type_months[kind]
        peak, low = TYPE_PEAK_LOW[kind]
        out.append(Check(f"{kind}最高月", f"{peak}月", f"{max(months, key=months.__getitem__)}月"))
        if low:
            out.append(Check(f"{kind}最低月", f"{low}月", f"{min(months, key=months.__getitem__)}月"))
        out.append(Check(f"{kind}：类别合计 = 各月合计 = 各区合计", "相等", _all_equal(
            _category_sum(f, kind), type_total(f, kind), sum(f.type_districts[kind].values()))))
        out.append(Check(f"{kind}集中的区", "、".join(TYPE_DISTRICT_TOP3[kind]),
                         "、".join(_order(f.type_districts[kind])[:3])))
    return out


def _all_equal(*values: int) -> str:
    return "相等" if len(set(values)) == 1 else "不等：" + "、".join(shows(v) for v in values)


def _check_districts(f: Figures) -> list[Check]:
    totals = {d: district_sum(f, d) for d in DISTRICTS}
    rates = {d: per_10k(totals[d], d) for d in DISTRICTS}
    leaders = ("门头沟区", *PER_10K_NEXT)
    others = [d for d in DISTRICTS if d not in leaders]
    next_ok = all(rates[a] > rates[b] for a, b in pairwise(leaders))
    floor_ok = rates[leaders[-1]] >= PER_10K_FLOOR > max(rates[d] for d in others)
    return [
        Check("各区承办量最多", "朝阳区", _order(totals)[0]),
        Check("各区承办量最少", "延庆区", _order(totals)[-1]),
        Check("万人承办量最多", "门头沟区", _order({d: int(r) for d, r in rates.items()})[0]),
        Check("万人承办量最少", "昌平区", _order({d: int(r) for d, r in rates.items()})[-1]),
        Check("其次是密云区、平谷区、怀柔区、顺义区，均在2000件以上", "是",
              "是" if next_ok and floor_ok else "否：" + "、".join(f"{d}{rates[d]}" for d in leaders)),
    ]


def _check_hots(f: Figures) -> list[Check]:
    out = [Check("热点顺序（按本年）", "、".join(h.name for h in HOTS),
                 "、".join(_order({c: x.count for c, x in f.hots.items()})))]
    sums = {c: sum(row.values()) for c, row in f.categories.items()}
    out.append(Check("群众反映前十类（五类来电合计，不计其他）", "、".join(h.name for h in HOTS),
                     "、".join(_order(sums, ["其他"])[: len(HOTS)])))
    for h in HOTS:
        out += _check_hot(f, h, sums[h.name])
    return out


def _check_hot(f: Figures, h: Hot, calls: int) -> list[Check]:
    x = f.hots[h.name]
    units_total = sum(x.units.values())
    subs = list(x.subtopics.values())
    out = [
        Check(f"{h.name}：五类来电合计 = 本年", h.count, shows(calls)),
        _equal(f"{h.name}：直接答复+各单位承办 = 本年", x.direct + units_total, x.count),
        Check(f"{h.name}：各区合计 ≤ 各单位承办合计", "是",
              "是" if sum(x.districts.values()) <= units_total else "否"),
        Check(f"{h.name}：承办最多的单位", h.unit[0], _order(x.units)[0]),
        Check(f"{h.name}：承办最多的区", h.district[0], _order(x.districts)[0]),
        Check(f"{h.name}：子类按所列顺序递减且合计不超过本年", "是",
              "是" if subs == sorted(subs, reverse=True) and sum(subs) <= x.count else "否"),
        _equal(f"{h.name}：整类各月合计 = 本年", sum(x.months[""]), x.count),
    ]
    for sub, series in x.months.items():
        if sub:
            out.append(_equal(f"{h.name}.{sub}：各月合计 = 子类", sum(series), x.subtopics[sub]))
    for (topic, sub), peaks in HOT_PEAKS.items():
        if topic == h.name:
            series = x.months[sub]
            top = sorted(MONTHS, key=lambda m: -series[m - 1])[: len(peaks)]
            out.append(Check(f"{topic}.{sub or '整类'}：最高月份", "、".join(f"{m}月" for m in peaks),
                             "、".join(f"{m}月" for m in sorted(top))))
    return out


def _check_lists(f: Figures) -> list[Check]:
    out = []
    for zone, top in ZONE_TOP_TEN.items():
        values = f.zone_categories[zone]
        hot_rest = {c: sum(f.hots[c].districts[d] for d in ZONE_DISTRICTS[zone])
                    for c in f.hots if c not in values}
        tenth = values[top[-1]]
        out.append(Check(f"{zone}承办前十类", "、".join(top), "、".join(_order(values))))
        out.append(Check(f"{zone}：其余热点类别少于第十类", "是",
                         "是" if all(v < tenth for v in hot_rest.values()) else "否"))
    counts = [n for _, _, n in f.streets]
    named = [(d, s) for d, s, _ in f.streets[1:5]]
    by_district = {d: sum(1 for dd, _, _ in f.streets if dd == d) for d, _, _ in f.streets}
    out += [
        Check("街乡镇按承办量排序", "是", "是" if counts == sorted(counts, reverse=True) else "否"),
        Check("其次四个街乡镇", "、".join(d + s for d, s in STREET_NEXT),
              "、".join(d + s for d, s in named)),
        Check("前五位均在12000件以上", "是", "是" if min(counts[:5]) >= STREET_FLOOR else "否"),
        Check("前十位的区分布", _districts_text(STREET_TOP10_DISTRICTS), _districts_text(by_district)),
    ]
    out += [_printed_count(f"市级部门.{n}", v, p)
            for (n, v), (_, p) in zip(f.departments, CITY_DEPARTMENTS, strict=True)]
    out += [_printed_count(f"国有企业.{n}", v, p)
            for (n, v), (_, p) in zip(f.firms, STATE_FIRMS, strict=True)]
    return out + _check_rates(f)


def _districts_text(counts: Mapping[str, int]) -> str:
    return "、".join(f"{d}{counts[d]}个" for d in sorted(counts, key=lambda d: (-counts[d], d)))


def _check_rates(f: Figures) -> list[Check]:
    by = {(s, n): (a, b) for s, n, a, b in f.rates}
    units = {u: by[("单位类型", u)] for u in UNITS}
    districts = {d: by[("区", d)] for d in DISTRICTS}
    out = []
    for i, word in enumerate(("解决率", "满意率")):
        out.append(Check(f"单位类型{word}顺序", "、".join(RATE_UNIT_ORDER), "、".join(
            sorted(units, key=lambda u: -units[u][i])[:2])))
        out.append(Check(f"各区{word}顺序", "、".join(RATE_DISTRICT_ORDER), "、".join(
            sorted(districts, key=lambda d: -districts[d][i])[:3])))
        weighted = weighted_rate(f.units, {u: r[i] for u, r in units.items()})
        out.append(Check(f"五类单位加权{word} = 全市", RATES_CITY[i], str(weighted)))
    fine = all(b > a for (s, _), (a, b) in by.items() if s == "问题类别")
    out.append(Check("各类诉求满意率均大于解决率", "是", "是" if fine else "否"))
    return out


def report(checks: Sequence[Check]) -> None:
    failed = [c for c in checks if not c.ok]
    print(f"核对 {len(checks)} 项原文数字和表述，{len(failed)} 项无法重现（原文自身不一致）：")
    width = max((len(c.what) for c in failed), default=0)
    for c in failed:
        print(f"  {c.what:<{width}}  原文 {c.printed}  ←→  计算 {c.computed}")


def main() -> int:
    figures = solve()
    OUT.write_bytes(workbook_bytes(build_data(figures)))
    print(f"已写出 {OUT.relative_to(ROOT)}")
    report(verify(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
