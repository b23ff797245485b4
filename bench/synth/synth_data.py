"""The numbers of a synthetic 部门决算 report: department, year, and amounts that satisfy
every identity of a correct report (DOMAIN.md), with exact Decimal arithmetic.

Amounts are Decimal 万元 with two decimals (generated as whole cents, so every sum is
exact).  Function and economic codes and their names come from the project's code
lists (vocab/codelists/*.csv), the name of the report's year (or of the nearest year
the list has).
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODELISTS = ROOT / "vocab" / "codelists"
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
YEARS = (2019, 2020, 2021, 2022, 2023, 2024)


# ------------------------------------------------------------------ vocabulary


class Vocab:
    """Code -> name by year, from vocab/codelists/{function,economic}.csv."""

    def __init__(self, folder: Path = CODELISTS) -> None:
        self.labels: dict[str, dict[str, dict[int, str]]] = {}
        for scheme in ("function", "economic"):
            by_code: dict[str, dict[int, str]] = defaultdict(dict)
            with open(folder / f"{scheme}.csv", encoding="utf-8") as f:
                for rec in csv.DictReader(f):
                    by_code[rec["code"]][int(rec["year"])] = rec["label"].strip()
            # a name cut by a wrapped cell in the source ("机关事业单位基本养老保险缴"):
            # use the full form printed in other years
            for years in by_code.values():
                names = set(years.values())
                for y, name in list(years.items()):
                    longer = [n for n in names if n != name and n.startswith(name)]
                    if longer:
                        years[y] = max(longer, key=len)
            self.labels[scheme] = dict(by_code)

    def has(self, scheme: str, code: str) -> bool:
        return code in self.labels[scheme]

    def label(self, scheme: str, code: str, year: int) -> str:
        years = self.labels[scheme][code]
        if year in years:
            return years[year]
        nearest = min(years, key=lambda y: (abs(y - year), y))
        return years[nearest]


@lru_cache(maxsize=1)
def vocab() -> Vocab:
    return Vocab()


# ------------------------------------------------------------------ departments

_REGION_TEXT = (
    "上海市普陀区 上海市静安区 上海市徐汇区 北京市朝阳区 "
    "北京市海淀区 天津市和平区 重庆市渝中区 杭州市西湖区 "
    "杭州市拱墅区 宁波市海曙区 温州市鹿城区 绍兴市越城区 "
    "金华市婺城区 南京市鼓楼区 苏州市姑苏区 无锡市梁溪区 "
    "徐州市云龙区 扬州市广陵区 常州市天宁区 合肥市蜀山区 "
    "芜湖市镜湖区 福州市鼓楼区 厦门市思明区 泉州市鲤城区 "
    "漳州市芗城区 南昌市东湖区 赣州市章贡区 九江市浔阳区 "
    "济南市历下区 青岛市市南区 烟台市芝罘区 潍坊市奎文区 "
    "临沂市兰山区 郑州市金水区 洛阳市涧西区 开封市龙亭区 "
    "安阳市北关区 新乡市红旗区 武汉市洪山区 宜昌市西陵区 "
    "襄阳市樊城区 长沙市岳麓区 株洲市荷塘区 衡阳市雁峰区 "
    "岳阳市岳阳楼区 岳阳市屈原管理区 常德市武陵区 "
    "广州市天河区 深圳市南山区 佛山市禅城区 珠海市香洲区 "
    "汕头市金平区 南宁市青秀区 柳州市城中区 桂林市秀峰区 "
    "海口市美兰区 三亚市吉阳区 成都市武侯区 绵阳市涪城区 "
    "宜宾市翠屏区 贵阳市南明区 遵义市红花岗区 "
    "昆明市五华区 曲靖市麒麟区 西安市雁塔区 宝鸡市渭滨区 "
    "汉中市南郑区 兰州市城关区 天水市秦州区 西宁市城中区 "
    "银川市兴庆区 乌鲁木齐市天山区 太原市小店区 "
    "大同市平城区 朔州市朔城区 石家庄市长安区 "
    "保定市竞秀区 唐山市路北区 邯郸市丛台区 "
    "呼和浩特市新城区 包头市昆都仑区 沈阳市和平区 "
    "大连市中山区 鞍山市铁东区 长春市朝阳区 吉林市船营区 "
    "哈尔滨市南岗区 齐齐哈尔市龙沙区 伊春市友好区 "
    "长沙市长沙县 宁乡市 浏阳市 象山县 信丰县 西峡县 "
    "城固县 宾川县 义乌市 昆山市 晋江市 醴陵市 邵东市 "
    "汨罗市 洋县 安吉县 德清县"
)
REGIONS = tuple(_REGION_TEXT.split())


@dataclass(frozen=True)
class Bureau:
    name: str
    admin: str  # the main line: 行政运行 (basic), or the bureau's own line (basic + project)
    mixed: bool  # the main line also carries project spending
    projects: tuple[str, ...]
    gov_fund: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    duties: str = ""


BUREAUS = (
    Bureau(
        "医疗保障局",
        "2101501",
        False,
        ("2101502", "2101504", "2101599", "2101301", "2101399"),
        ("2296013",),
        ("医疗保障事务中心", "医疗保险服务中心"),
        "贯彻执行医疗保险、生育保险、医疗救助等医疗保障制度，组织实施医保目录和支付标准，"
        "监督管理医疗保障基金",
    ),
    Bureau(
        "财政局",
        "2010601",
        False,
        ("2010602", "2010607", "2010608"),
        (),
        ("财政国库支付中心", "财政投资评审中心"),
        "拟订和执行财政、财务、会计管理的政策，编制年度预决算草案并组织执行，管理财政收支",
    ),
    Bureau(
        "人大常委会办公室",
        "2010101",
        False,
        ("2010102", "2010104", "2010105", "2010106", "2010107", "2010108", "2010109", "2010199"),
        (),
        ("人大代表服务中心",),
        "承担人大常委会会议的组织和服务工作，保障人大代表依法履职，办理人大信访事项",
    ),
    Bureau(
        "城市管理局",
        "2120101",
        False,
        ("2120102", "2120104", "2120199", "2120399", "2120501"),
        (),
        ("环境卫生管理所", "城市管理综合执法大队"),
        "负责城市管理和综合执法工作，组织市容环境卫生管理，维护城乡社区公共设施",
    ),
    Bureau(
        "统计局",
        "2010502",
        True,
        ("2010507",),
        (),
        ("普查中心",),
        "组织实施统计调查和各项普查，汇总、发布统计数据，开展统计执法检查",
    ),
    Bureau(
        "市场监督管理局",
        "2013802",
        True,
        (),
        (),
        ("市场监管综合执法大队",),
        "负责市场综合监督管理，组织市场监管综合执法，承担食品安全和产品质量监督管理",
    ),
    Bureau(
        "司法局",
        "2040607",
        True,
        ("2049999",),
        (),
        ("公证处", "法律援助中心"),
        "承担全面依法治区统筹协调，组织公共法律服务体系建设，指导人民调解和社区矫正",
    ),
    Bureau(
        "科学技术协会",
        "2060702",
        True,
        (),
        (),
        (),
        "组织开展科学普及活动，团结联系科技工作者，推动科技社团建设",
    ),
    Bureau(
        "体育局",
        "2070308",
        True,
        (),
        (),
        ("体育场馆管理中心",),
        "组织开展群众体育活动，推行全民健身计划，管理体育场馆设施",
    ),
    Bureau(
        "红十字会",
        "2081602",
        True,
        (),
        ("2296013",),
        (),
        "开展救灾救助、应急救护培训和人道救助，组织无偿献血和造血干细胞捐献宣传",
    ),
    Bureau(
        "人力资源和社会保障局",
        "2089999",
        True,
        ("2080705",),
        (),
        ("就业服务中心", "劳动人事争议仲裁院"),
        "统筹就业创业工作，组织实施社会保障政策，协调劳动关系和人事争议仲裁",
    ),
    Bureau(
        "卫生健康局",
        "2100717",
        True,
        ("2100409",),
        (),
        ("疾病预防控制中心",),
        "组织实施基本公共卫生服务和重大公共卫生服务，负责计划生育和人口监测工作",
    ),
    Bureau(
        "总工会",
        "2012906",
        True,
        ("2012902",),
        (),
        ("职工服务中心",),
        "维护职工合法权益，组织开展劳动竞赛和职工技能培训，做好困难职工帮扶",
    ),
    Bureau(
        "住房和城乡建设局",
        "2129999",
        True,
        ("2210399", "2120399"),
        (),
        ("房屋征收服务中心",),
        "负责城乡建设和住房保障工作，监督管理建筑市场和房地产市场",
    ),
    Bureau(
        "教育局",
        "2059999",
        True,
        (),
        (),
        ("教育技术装备中心", "教师发展中心"),
        "统筹管理各级各类教育，组织实施义务教育均衡发展，管理教育经费",
    ),
)

# the corpus is mostly 医疗保障局 reports: they come three times as often
BUREAU_WEIGHTS = [3 if b.name == "医疗保障局" else 1 for b in BUREAUS]

# lines every department has (people): 项 code -> (share of the main basic line, probability)
PERSONNEL_LINES = {
    "2080505": ((0.07, 0.12), 1.0),  # 机关事业单位基本养老保险缴费支出
    "2080506": ((0.03, 0.06), 0.9),  # 机关事业单位职业年金缴费支出
    "2101101": ((0.04, 0.08), 1.0),  # 行政单位医疗
    "2101103": ((0.005, 0.02), 0.4),  # 公务员医疗补助
    "2210201": ((0.07, 0.11), 1.0),  # 住房公积金
    "2210202": ((0.005, 0.02), 0.2),  # 提租补贴
    "2210203": ((0.01, 0.05), 0.3),  # 购房补贴
    "2080501": ((0.02, 0.15), 0.5),  # 行政单位离退休
    "2080502": ((0.01, 0.05), 0.1),  # 事业单位离退休
    "2080599": ((0.001, 0.01), 0.2),  # 其他行政事业单位养老支出
    "2101102": ((0.01, 0.03), 0.15),  # 事业单位医疗
}

# where the basic spending of a function line goes in the economic classification
PERSONNEL_ECONOMIC = {
    "2080505": "30108",
    "2080506": "30109",
    "2101101": "30110",
    "2101102": "30110",
    "2101103": "30111",
    "2210201": "30113",
    "2210202": "30102",
    "2210203": "30102",
    "2080501": "30302",
    "2080502": "30302",
    "2080599": "30112",
}

# table 06 as the national template prints it: every 款 of these 类, blank where zero
_ECONOMIC_TEXT = {
    "301": "30101 30102 30103 30106 30107 30108 30109 30110 30111 30112 30113 30114 30199",
    "303": "30301 30302 30303 30304 30305 30306 30307 30308 30309 30310 30311 30399",
    "302": (
        "30201 30202 30203 30204 30205 30206 30207 30208 30209 30211 30212 30213 30214 30215 "
        "30216 30217 30218 30224 30225 30226 30227 30228 30229 30231 30239 30240 30299"
    ),
    "310": "31001 31002 31003 31007 31013 31019 31021 31022 31099",
}
ECONOMIC_TEMPLATE: dict[str, tuple[str, ...]] = {
    k: tuple(v.split()) for k, v in _ECONOMIC_TEXT.items()
}
PERSONNEL_CLASSES = ("301", "303")
PUBLIC_CLASSES = ("302", "310")

# 公用经费 items (weights) besides the 三公 ones
PUBLIC_ITEMS = {
    "30201": 8,
    "30202": 2,
    "30204": 0.3,
    "30205": 1,
    "30206": 3,
    "30207": 2,
    "30209": 4,
    "30211": 2,
    "30213": 3,
    "30214": 2,
    "30215": 1,
    "30216": 1.5,
    "30218": 1,
    "30226": 3,
    "30227": 4,
    "30228": 4,
    "30229": 5,
    "30239": 6,
    "30299": 4,
    "31002": 2,
    "31007": 2,
}


# ------------------------------------------------------------------ amounts


def cents(rng: random.Random, wan: float) -> Decimal:
    """An amount of about `wan` 万元, whole cents, at least 0.01."""
    return Decimal(max(1, round(wan * 100))).scaleb(-2)


def split(rng: random.Random, total: Decimal, weights: list[float]) -> list[Decimal]:
    """`total` split in proportion to `weights` (jittered), exactly, in cents."""
    units = int(total * 100)
    w = [x * rng.uniform(0.6, 1.4) for x in weights]
    s = sum(w)
    parts = [int(units * x / s) for x in w]
    parts[max(range(len(parts)), key=lambda i: w[i])] += units - sum(parts)
    return [Decimal(p).scaleb(-2) for p in parts]


def pct(part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return ZERO
    return (part * 100 / whole).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class FLine:
    """One 项 of the function classification and its money (万元)."""

    code: str
    role: str  # admin | personnel | project | gov_fund
    b_g: Decimal = ZERO  # 一般公共预算财政拨款: basic
    p_g: Decimal = ZERO  # …: project
    o_g: Decimal = ZERO  # opening / closing balance of 一般公共预算财政拨款
    c_g: Decimal = ZERO
    p_f: Decimal = ZERO  # 政府性基金预算财政拨款 (project)
    o_f: Decimal = ZERO
    c_f: Decimal = ZERO
    b_n: Decimal = ZERO  # non-appropriation funds: basic / project
    p_n: Decimal = ZERO
    o_n: Decimal = ZERO
    c_n: Decimal = ZERO
    source: str = "other"  # income column of the non-appropriation money
    budget: Decimal = ZERO  # 年初预算 of its 一般公共预算 spending (narrative)

    # -- derived measures (one dict per table)
    def income(self) -> dict[str, Decimal]:
        fiscal = self.b_g + self.p_g + self.c_g - self.o_g + self.p_f + self.c_f - self.o_f
        nf = self.b_n + self.p_n + self.c_n - self.o_n
        cols = {
            k: ZERO
            for k in ("superior_subsidy", "business", "operating", "subsidiary_remittance", "other")
        }
        cols[self.source] = nf
        return {"total": fiscal + nf, "fiscal_appropriation": fiscal, **cols}

    def expenditure(self) -> dict[str, Decimal]:
        basic = self.b_g + self.b_n
        project = self.p_g + self.p_f + self.p_n
        return {
            "total": basic + project,
            "basic": basic,
            "project": project,
            "remit_superior": ZERO,
            "operating": ZERO,
            "subsidiary_subsidy": ZERO,
        }

    def gpb(self) -> dict[str, Decimal]:
        return {"total": self.b_g + self.p_g, "basic": self.b_g, "project": self.p_g}

    def gov_fund(self) -> dict[str, Decimal]:
        return {
            "opening_balance": self.o_f,
            "income": self.p_f + self.c_f - self.o_f,
            "expenditure_total": self.p_f,
            "basic": ZERO,
            "project": self.p_f,
            "closing_balance": self.c_f,
        }

    def fiscal(self) -> dict[str, Decimal]:
        g, f = self.b_g + self.p_g, self.p_f
        return {"total": g + f, "gpb": g, "gov_fund": f, "state_capital": ZERO}


@dataclass
class ThreePublic:
    budget: dict[str, Decimal]
    actual: dict[str, Decimal]  # keys overseas, vehicle_purchase, vehicle_operation, reception

    @staticmethod
    def full(d: dict[str, Decimal]) -> dict[str, Decimal]:
        vehicles = d["vehicle_purchase"] + d["vehicle_operation"]
        return {
            "total": d["overseas"] + vehicles + d["reception"],
            "overseas": d["overseas"],
            "vehicles": vehicles,
            "vehicle_purchase": d["vehicle_purchase"],
            "vehicle_operation": d["vehicle_operation"],
            "reception": d["reception"],
        }


@dataclass
class Report:
    index: int
    year: int
    region: str
    bureau: Bureau
    lines: list[FLine]
    economic: dict[str, Decimal]  # 款 code -> amount (gpb basic spending)
    three: ThreePublic
    prev: dict[str, Decimal]  # last year's totals (narrative comparisons)
    staff: tuple[int, int, int]
    units: list[str]
    vehicles: int
    procurement: tuple[Decimal, Decimal, Decimal]  # goods, works, services
    style: dict[str, object] = field(default_factory=dict)

    @property
    def department(self) -> str:
        return self.region + self.bureau.name


def _line_amount(rng: random.Random, scale: float, lo: float, hi: float) -> Decimal:
    return cents(rng, scale * rng.uniform(lo, hi))


def make_report(index: int, seed: int, options: dict[str, str] | None = None) -> Report:
    """A report with random but consistent amounts; deterministic in (index, seed).

    options: ordinals = off | legacy | all (栏次 rows / 行次 columns: never, in the
    2019-2021 reports, always); three_public = blocks | interleaved | auto (the 三公
    table's column order; auto: interleaved in 2023-2024 reports, as their template)."""
    rng = random.Random(f"{seed}:{index}")
    year = rng.choice(YEARS)
    region = rng.choice(REGIONS)
    bureau = rng.choices(BUREAUS, weights=BUREAU_WEIGHTS)[0]
    scale = min(20000.0, max(60.0, rng.lognormvariate(6.3, 0.9)))  # 万元, median ~550

    lines: list[FLine] = []
    admin = FLine(bureau.admin, "admin")
    admin.b_g = _line_amount(rng, scale, 0.30, 0.55)
    if bureau.mixed:
        admin.p_g = _line_amount(rng, scale, 0.05, 0.3)
    elif rng.random() < 0.25:
        admin.p_g = _line_amount(rng, scale, 0.003, 0.03)
    lines.append(admin)
    base = float(admin.b_g)
    for code, ((lo, hi), prob) in PERSONNEL_LINES.items():
        if rng.random() < prob:
            lines.append(FLine(code, "personnel", b_g=cents(rng, base * rng.uniform(lo, hi))))
    projects = list(bureau.projects)
    rng.shuffle(projects)
    for code in projects[: rng.randint(min(1, len(projects)), len(projects))]:
        wan = (
            scale * rng.uniform(0.01, 0.12) * (rng.paretovariate(2.5) if rng.random() < 0.3 else 1)
        )
        lines.append(FLine(code, "project", p_g=cents(rng, wan)))
    for code in bureau.gov_fund:
        if rng.random() < 0.5:
            fl = FLine(code, "gov_fund", p_f=_line_amount(rng, scale, 0.01, 0.15))
            if rng.random() < 0.3:
                fl.c_f = cents(rng, float(fl.p_f) * rng.uniform(0.05, 0.3))
            if rng.random() < 0.2:
                fl.o_f = cents(rng, float(fl.p_f) * rng.uniform(0.05, 0.3))
            lines.append(fl)

    # appropriation balances on project lines
    carriers = [fl for fl in lines if fl.p_g > 0]
    if carriers and rng.random() < 0.5:
        for fl in rng.sample(carriers, k=min(len(carriers), rng.randint(1, 2))):
            if rng.random() < 0.7:
                fl.c_g = cents(rng, float(fl.p_g) * rng.uniform(0.02, 0.4))
            if rng.random() < 0.6:
                fl.o_g = cents(rng, float(fl.p_g) * rng.uniform(0.02, 0.4))
    # non-appropriation money: other income (interest, …), business income, subsidies
    if rng.random() < 0.3:
        admin.b_n = _line_amount(rng, scale, 0.0005, 0.02)
        admin.source = "other"
    non_admin = [fl for fl in lines if fl.role == "project"]
    if non_admin and rng.random() < 0.15:
        fl = rng.choice(non_admin)
        fl.p_n = _line_amount(rng, scale, 0.01, 0.1)
        fl.source = rng.choice(("business", "business", "superior_subsidy"))
    if rng.random() < 0.15:
        fl = rng.choice([f for f in lines if f.role != "gov_fund"])
        fl.c_n = _line_amount(rng, scale, 0.001, 0.03)
        if rng.random() < 0.5:
            fl.o_n = min(fl.c_n + fl.b_n + fl.p_n, _line_amount(rng, scale, 0.001, 0.03))
    for fl in lines:
        g = fl.b_g + fl.p_g
        if g:
            fl.budget = cents(rng, float(g) * rng.choice((1.0, 1.0, rng.uniform(0.85, 1.15))))

    three = _three_public(rng, scale)
    economic = _economic(rng, lines, three)
    income_total = sum((fl.income()["total"] for fl in lines), ZERO)
    prev = {
        "total": cents(rng, float(income_total) * rng.uniform(0.8, 1.2)),
        "fiscal": ZERO,
        "gpb": ZERO,
        "three": cents(rng, float(sum(three.actual.values(), ZERO)) * rng.uniform(0.7, 1.3))
        if any(three.actual.values())
        else ZERO,
        "office": ZERO,
    }
    fiscal_total = sum((fl.fiscal()["total"] + fl.o_g + fl.o_f for fl in lines), ZERO)
    prev["fiscal"] = cents(rng, float(fiscal_total) * rng.uniform(0.8, 1.2))
    prev["gpb"] = cents(
        rng, float(sum((fl.gpb()["total"] for fl in lines), ZERO)) * rng.uniform(0.8, 1.2)
    )
    public = sum((v for k, v in economic.items() if k[:3] in PUBLIC_CLASSES), ZERO)
    prev["office"] = cents(rng, float(public) * rng.uniform(0.8, 1.2))

    authorised = max(3, int(float(admin.b_g) / rng.uniform(18, 30)))
    actual = max(2, authorised - rng.randint(0, max(1, authorised // 6)))
    retired = rng.randint(0, max(1, actual // 2))
    units = [f"{region}{bureau.name}（本级）"]
    for u in bureau.units:
        if rng.random() < 0.5:
            units.append(region + u)
    goods = cents(rng, scale * rng.uniform(0.005, 0.05))
    works = cents(rng, scale * rng.uniform(0.01, 0.1)) if rng.random() < 0.2 else ZERO
    services = cents(rng, scale * rng.uniform(0.01, 0.15)) if rng.random() < 0.7 else ZERO
    rep = Report(
        index=index,
        year=year,
        region=region,
        bureau=bureau,
        lines=lines,
        economic=economic,
        three=three,
        prev=prev,
        staff=(authorised, actual, retired),
        units=units,
        vehicles=rng.randint(0, 6) if three.actual["vehicle_operation"] else 0,
        procurement=(goods, works, services),
    )
    rep.style = _style(rng, year, options or {})
    return rep


def _three_public(rng: random.Random, scale: float) -> ThreePublic:
    actual = {k: ZERO for k in ("overseas", "vehicle_purchase", "vehicle_operation", "reception")}
    budget = dict(actual)
    for key, prob, lo, hi in (
        ("overseas", 0.08, 0.002, 0.01),
        ("vehicle_purchase", 0.05, 0.01, 0.04),
        ("vehicle_operation", 0.5, 0.002, 0.012),
        ("reception", 0.7, 0.0003, 0.003),
    ):
        if rng.random() < prob:
            actual[key] = cents(rng, max(0.05, scale * rng.uniform(lo, hi)))
            r = rng.random()
            factor = 1.0 if r < 0.3 else rng.uniform(1.0, 1.6) if r < 0.92 else rng.uniform(0.8, 1)
            budget[key] = cents(rng, float(actual[key]) * factor)
        elif rng.random() < 0.08:
            budget[key] = cents(rng, max(0.1, scale * rng.uniform(lo, hi)))
    return ThreePublic(budget=budget, actual=actual)


_THREE_ECONOMIC = {
    "overseas": "30212",
    "vehicle_purchase": "31013",
    "vehicle_operation": "30231",
    "reception": "30217",
}


def _economic(rng: random.Random, lines: list[FLine], three: ThreePublic) -> dict[str, Decimal]:
    """Table 06: the gpb basic spending of every line in economic 款 codes (sums exact)."""
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    main = ZERO
    for fl in lines:
        if not fl.b_g:
            continue
        code = PERSONNEL_ECONOMIC.get(fl.code)
        if code:
            out[code] += fl.b_g
        else:
            main += fl.b_g
    # the main line: personnel share and public share
    fixed = {_THREE_ECONOMIC[k]: v for k, v in three.actual.items() if v}
    fixed_sum = sum(fixed.values(), ZERO)
    public = (main * Decimal(str(round(rng.uniform(0.15, 0.32), 3)))).quantize(CENT)
    if fixed_sum > public * Decimal("0.6"):
        # 三公 paid from basic spending cannot exceed it: pay part from project funds
        ratio = public * Decimal("0.6") / fixed_sum
        fixed = {k: (v * ratio).quantize(CENT) for k, v in fixed.items()}
        fixed = {k: v for k, v in fixed.items() if v}
        fixed_sum = sum(fixed.values(), ZERO)
    personnel = main - public
    names = [
        "30101",
        "30102",
        "30103",
        "30107",
        "30112",
        "30199",
        "30106",
        "30305",
        "30309",
        "30399",
        "30307",
    ]
    weights = [22, 30, 6, 24, 2, 6, 1.5, 1, 0.6, 1.5, 0.8]
    keep = [i for i, n in enumerate(names) if i < 2 or rng.random() < 0.55]
    for code, amount in zip(
        [names[i] for i in keep], split(rng, personnel, [weights[i] for i in keep]), strict=True
    ):
        out[code] += amount
    items = list(PUBLIC_ITEMS)
    chosen = [c for c in items if rng.random() < 0.6] or ["30201"]
    if "30201" not in chosen:
        chosen.append("30201")
    for code, amount in zip(
        chosen, split(rng, public - fixed_sum, [PUBLIC_ITEMS[c] for c in chosen]), strict=True
    ):
        out[code] += amount
    for code, amount in fixed.items():
        out[code] += amount
    # the 三公 actual spending is at least its basic-spending part (evidence relation ge)
    for key, code in _THREE_ECONOMIC.items():
        if out.get(code, ZERO) > three.actual[key]:
            three.actual[key] = out[code]
    return {k: v for k, v in out.items() if v}


def _style(rng: random.Random, year: int, options: dict[str, str]) -> dict[str, object]:
    """How this report is printed (template generation, code columns, separators)."""
    ordinals = options.get("ordinals", "off")
    three = options.get("three_public", "blocks")
    if three == "auto":
        three = "interleaved" if year >= 2023 else "blocks"
    return {
        "commas": rng.random() < 0.5,  # 2,940.05 or 2940.05
        "split_codes": rng.random() < 0.4,  # 类 | 款 | 项 columns or one 科目编码 column
        "total_first_05": rng.random() < 0.5,  # 合计 row above or below table 05's rows
        "three_groups_06": rng.random() < 0.35,  # table 06 in 3 groups (landscape)
        "zero_three": rng.random() < 0.3,  # 三公 zeros printed as 0.00
        "page_numbers": rng.random() < 0.7,
        "legacy": year <= 2021,  # 公开NN表 numbers, 部门： line, older titles
        # 三公: 预算数 block then 决算数 block, or 预算数/决算数 pairs per item (2024
        # template); see generate.py --three-public
        "three_layout": three,
        # 栏次 rows and 行次 columns of the 2019-2022 national template (seeds 003, 004)
        "ordinals": ordinals == "all" or (ordinals == "legacy" and year <= 2021),
    }


# ------------------------------------------------------------------ tree sums


def tree(lines: list[FLine], measure: str) -> list[tuple[str, dict[str, Decimal]]]:
    """类, 款, 项 rows (code order) with the sums of a measure: parent = Σ children."""
    values: dict[str, dict[str, Decimal]] = {}
    for fl in sorted(lines, key=lambda f: f.code):
        m: dict[str, Decimal] = getattr(fl, measure)()
        if not any(m.values()):
            continue
        for code in (fl.code[:3], fl.code[:5], fl.code):
            acc = values.setdefault(code, {k: ZERO for k in m})
            for k, v in m.items():
                acc[k] += v
    return sorted(values.items())


def totals(rows: list[tuple[str, dict[str, Decimal]]]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for code, m in rows:
        if len(code) == 3:
            for k, v in m.items():
                out[k] = out.get(k, ZERO) + v
    return out
