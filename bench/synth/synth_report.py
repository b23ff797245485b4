"""A synthetic report as printed: pages of prose and ruled tables (synth_pdf), and the
truth — every amount the PDF prints, with the table / code or row / column the parser
should give it (ids of src/fiscalpub/data/tables.yaml), and the narrative's amounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from synth_data import (
    ECONOMIC_TEMPLATE,
    PERSONNEL_CLASSES,
    PUBLIC_CLASSES,
    ZERO,
    FLine,
    Report,
    pct,
    totals,
    tree,
    vocab,
)
from synth_pdf import Cell, Grid, TableBlock, Writer

_CN_TEXT = (
    "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十 "
    "二十一 二十二 二十三 二十四 二十五 二十六 二十七"
)
CN_NUM = tuple(_CN_TEXT.split())

# the 类 list printed in full on the expenditure side of tables 01 and 04
_BASE = "201 202 203 204 205 206 207 208 210 211 212 213 214 215 216 217 219 220 221 222"
CLASSES_2019 = tuple(f"{_BASE} 224 229 231 232".split())
CLASSES_2020 = tuple(f"{_BASE} 223 224 229 231 232 234".split())
CLASSES_2024 = tuple(f"{_BASE} 223 224 229 234".split())
CLASS_NAMES = {
    "201": "一般公共服务支出",
    "202": "外交支出",
    "203": "国防支出",
    "204": "公共安全支出",
    "205": "教育支出",
    "206": "科学技术支出",
    "207": "文化旅游体育与传媒支出",
    "208": "社会保障和就业支出",
    "210": "卫生健康支出",
    "211": "节能环保支出",
    "212": "城乡社区支出",
    "213": "农林水支出",
    "214": "交通运输支出",
    "215": "资源勘探工业信息等支出",
    "216": "商业服务业等支出",
    "217": "金融支出",
    "219": "援助其他地区支出",
    "220": "自然资源海洋气象等支出",
    "221": "住房保障支出",
    "222": "粮油物资储备支出",
    "223": "国有资本经营预算支出",
    "224": "灾害防治及应急管理支出",
    "229": "其他支出",
    "231": "债务还本支出",
    "232": "债务付息支出",
    "234": "抗疫特别国债安排的支出",
}


TITLES = {
    "income_expenditure_summary": "收入支出决算总表",
    "income": "收入决算表",
    "expenditure": "支出决算表",
    "fiscal_summary": "财政拨款收入支出决算总表",
}


def class_list(year: int) -> tuple[str, ...]:
    return CLASSES_2019 if year <= 2019 else CLASSES_2024 if year >= 2024 else CLASSES_2020


@dataclass
class Printed:
    """A report as printed: the page program for the Writer and the truth."""

    ops: list[tuple[Any, ...]] = field(default_factory=list)
    cells: list[dict[str, Any]] = field(default_factory=list)
    narrative: list[dict[str, str]] = field(default_factory=list)
    tables: dict[str, str] = field(default_factory=dict)


class Builder:
    def __init__(self, rep: Report) -> None:
        self.rep = rep
        self.year = rep.year
        self.st = rep.style
        self.out = Printed()
        self.v = vocab()

    # -- helpers
    def fmt(self, v: Decimal) -> str:
        if not v:
            return ""
        return f"{v:,.2f}" if self.st["commas"] else f"{v:.2f}"

    def amount(
        self,
        table: str,
        column: str,
        v: Decimal,
        code: str | None = None,
        row: str | None = None,
        zero: bool = False,
    ) -> str:
        """The printed text of a cell; records it in the truth when something is printed."""
        text = self.fmt(v)
        if not text and zero:
            text = "0.00"
        if text:
            self.out.cells.append(
                {"table": table, "code": code, "row": row, "column": column, "printed": text}
            )
        return text

    def fname(self, code: str) -> str:
        if len(code) == 3:
            return CLASS_NAMES.get(code) or self.v.label("function", code, self.year)
        return self.v.label("function", code, self.year)

    def ename(self, code: str) -> str:
        return self.v.label("economic", code, self.year)

    @property
    def dept(self) -> str:
        return self.rep.department

    def legacy(self) -> bool:
        return bool(self.st["legacy"])

    def block(
        self,
        n: int,
        title: str,
        grid: Grid,
        wide: bool,
        notes: list[str],
        heading: str | None = None,
    ) -> TableBlock:
        return TableBlock(
            title=title,
            grid=grid,
            landscape=wide,
            department=f"部门：{self.dept}" if self.legacy() else None,
            number=f"公开{n:02d}表" if self.legacy() else None,
            notes=notes,
            heading=heading,
        )

    def ordinal_row(self, label_cols: int, amounts: int) -> list[Cell]:
        """The 栏次 row of older templates: 栏次 | 1 | 2 | …"""
        return [Cell(0, "栏次", colspan=label_cols)] + [
            Cell(label_cols + k, str(k + 1)) for k in range(amounts)
        ]

    # -- the code columns of function / economic tables
    def code_cells(self, code: str, start: int = 0) -> list[Cell]:
        if not self.st["split_codes"]:
            return [Cell(start, code, align="l")]
        parts = [code[:3], code[3:5], code[5:7]]
        return [Cell(start + i, p, align="c") for i, p in enumerate(parts)]

    @property
    def ncode(self) -> int:
        return 3 if self.st["split_codes"] else 1

    def code_widths(
        self, joined: float = 62, split: tuple[float, ...] = (34, 28, 28)
    ) -> list[float]:
        return list(split) if self.st["split_codes"] else [joined]

    def code_header(
        self, label: str, name_rows: int, amount_heads: list[tuple[str, int]], stub: str = "项目"
    ) -> list[list[Cell]]:
        """Header rows of a coded table: 项目 / (…科目编码, 类 款 项) / 科目名称, then amount
        columns (text, header rows it spans from the top; nested groups are built by the
        caller)."""
        n = self.ncode
        rows: list[list[Cell]] = [[Cell(0, stub, colspan=n + 1)], [], []]
        if self.st["split_codes"]:
            rows[1] += [Cell(0, label, colspan=n), Cell(n, "科目名称", rowspan=2)]
            rows[2] += [Cell(0, "类"), Cell(1, "款"), Cell(2, "项")]
        else:
            rows[1] += [Cell(0, label), Cell(1, "科目名称")]
            rows.pop()
        col = n + 1
        for text, span in amount_heads:
            rows[0].append(Cell(col, text, rowspan=min(span, len(rows))))
            col += 1
        del name_rows
        return rows

    # ------------------------------------------------------------------ document
    def build(self) -> Printed:
        self.cover()
        self.contents()
        self.overview()
        self.t01()
        self.t02()
        self.t03()
        self.t04()
        self.t05()
        self.t06()
        self.t07()
        self.t08()
        self.t09()
        self.narrative()
        self.glossary()
        return self.out

    def op(self, *args: Any) -> None:
        self.out.ops.append(args)

    def cover(self) -> None:
        self.op("page", False)
        self.op("space", 190)
        self.op("heading", self.dept, 24, "c", 30)
        self.op("heading", f"{self.year}年度部门决算", 22, "c", 30)

    def title(self, tid: str) -> str:
        legacy = self.legacy()
        return {
            "gpb_expenditure": "一般公共预算财政拨款支出决算表"
            if not legacy
            else "一般公共预算财政拨款支出决算明细表",
            "gpb_basic_expenditure": "一般公共预算财政拨款基本支出决算表"
            if not legacy
            else "一般公共预算财政拨款基本支出决算明细表",
            "three_public": "财政拨款“三公”经费支出决算表"
            if not legacy
            else "一般公共预算财政拨款“三公”经费支出决算表",
            "gov_fund": "政府性基金预算财政拨款收入支出决算表",
            "state_capital": "国有资本经营预算财政拨款收入支出决算表"
            if self.year >= 2023
            else "国有资本经营预算财政拨款支出决算表",
        }.get(tid) or TITLES[tid]

    ORDER = (
        "income_expenditure_summary",
        "income",
        "expenditure",
        "fiscal_summary",
        "gpb_expenditure",
        "gpb_basic_expenditure",
        "three_public",
        "gov_fund",
        "state_capital",
    )

    def contents(self) -> None:
        d, y = self.dept, self.year
        self.op("page", False)
        self.op("heading", "目    录", 18, "c", 24)
        items = [
            f"第一部分 {d}概况",
            "一、主要职能",
            "二、部门决算单位构成",
            "三、人员情况",
            f"第二部分 {d}{y}年度部门决算表",
        ]
        items += [f"{CN_NUM[i]}、{self.title(t)}" for i, t in enumerate(self.ORDER)]
        items += [f"第三部分 {d}{y}年度部门决算情况说明", "第四部分 名词解释"]
        for it in items:
            self.op("para", it, 11.5, not it.startswith("第"))

    def overview(self) -> None:
        d, rep = self.dept, self.rep
        self.op("page", False)
        self.op("heading", f"第一部分 {d}概况", 16, "c", 20)
        self.op("heading", "一、主要职能", 12.5, "l", 8)
        self.op("para", f"{d}的主要职能是：{rep.bureau.duties}；完成区委、区政府交办的其他任务。")
        self.op("heading", "二、部门决算单位构成", 12.5, "l", 8)
        self.op(
            "para", f"纳入{d}{self.year}年度部门决算编制范围的单位共{len(rep.units)}个，具体包括："
        )
        self.op("space", 6)
        body = [
            [
                Cell(0, str(i + 1)),
                Cell(1, u, align="l"),
                Cell(2, "" if i == 0 else "预算不单列，并入本级"),
            ]
            for i, u in enumerate(rep.units)
        ]
        self.op(
            "grid",
            Grid(
                [50, 280, 150],
                [[Cell(0, "序号"), Cell(1, "单位名称"), Cell(2, "备注")]],
                body,
                size=10,
                min_row=20,
            ),
        )
        self.op("space", 10)
        self.op("heading", "三、人员情况", 12.5, "l", 8)
        a, b, c = rep.staff
        self.op(
            "para", f"截至{self.year}年底，本部门人员编制{a}人，实有人数{b}人；离退休人员{c}人。"
        )

    # ------------------------------------------------------------------ 01
    def sums(self) -> dict[str, Any]:
        lines = self.rep.lines
        z = ZERO
        s: dict[str, Any] = {}
        s["gpb_income"] = sum((f.b_g + f.p_g + f.c_g - f.o_g for f in lines), z)
        s["gf_income"] = sum((f.p_f + f.c_f - f.o_f for f in lines), z)
        inc = totals(tree(lines, "income"))
        exp = totals(tree(lines, "expenditure"))
        s["inc"], s["exp"] = inc, exp
        s["opening"] = sum((f.o_g + f.o_f + f.o_n for f in lines), z)
        s["closing"] = sum((f.c_g + f.c_f + f.c_n for f in lines), z)
        s["opening_fiscal"] = {
            "gpb": sum((f.o_g for f in lines), z),
            "gov_fund": sum((f.o_f for f in lines), z),
        }
        s["closing_fiscal"] = {
            "gpb": sum((f.c_g for f in lines), z),
            "gov_fund": sum((f.c_f for f in lines), z),
        }
        s["grand"] = inc["total"] + s["opening"]
        assert s["grand"] == exp["total"] + s["closing"], "table 01 does not balance"
        fis = totals(tree(lines, "fiscal"))
        s["fis"] = fis
        s["fiscal_income"] = s["gpb_income"] + s["gf_income"]
        s["fiscal_grand"] = s["fiscal_income"] + sum(s["opening_fiscal"].values(), z)
        assert s["fiscal_grand"] == fis["total"] + sum(s["closing_fiscal"].values(), z)
        return s

    def t01(self) -> None:
        tid = "income_expenditure_summary"
        s = self.sums()
        inc, exp = s["inc"], s["exp"]
        by_class = {c: m["total"] for c, m in tree(self.rep.lines, "expenditure") if len(c) == 3}
        income_rows = [
            ("一般公共预算财政拨款收入", "gpb_appropriation", s["gpb_income"]),
            ("政府性基金预算财政拨款收入", "gov_fund_appropriation", s["gf_income"]),
            ("国有资本经营预算财政拨款收入", "state_capital_appropriation", ZERO),
            ("上级补助收入", "superior_subsidy", inc["superior_subsidy"]),
            ("事业收入", "business", inc["business"]),
            ("经营收入", "operating", inc["operating"]),
            ("附属单位上缴收入", "subsidiary_remittance", inc["subsidiary_remittance"]),
            ("其他收入", "other", inc["other"]),
        ]
        classes = class_list(self.year)
        unknown = set(by_class) - set(classes)
        assert not unknown, unknown
        ords = bool(self.st["ordinals"])
        w = 3 if ords else 2  # columns per side: 项目, (行次,) 决算数
        n_rows = max(len(income_rows), len(classes)) + 4

        def side(base: int, label: str, value: str, number: int, align: str = "l") -> list[Cell]:
            cells = [Cell(base, label, align=align)]
            if ords:
                cells.append(Cell(base + 1, str(number)))
            cells.append(Cell(base + w - 1, value, align="r"))
            return cells

        body: list[list[Cell]] = []
        for i in range(max(len(income_rows), len(classes))):
            row = side(0, "", "", i + 1)
            if i < len(income_rows):
                label, rid, v = income_rows[i]
                row = side(
                    0, f"{CN_NUM[i]}、{label}", self.amount(tid, "amount", v, row=rid), i + 1
                )
            if i < len(classes):
                c = classes[i]
                row += side(
                    w,
                    f"{CN_NUM[i]}、{CLASS_NAMES[c]}",
                    self.amount(tid, "amount", by_class.get(c, ZERO), code=c),
                    n_rows + i + 1,
                )
            else:
                row += side(w, "", "", n_rows + i + 1)
            body.append(row)
        tail = [
            (
                "本年收入合计",
                "total_income",
                inc["total"],
                "本年支出合计",
                "total_expenditure",
                exp["total"],
            ),
            (
                "使用非财政拨款结余",
                "use_non_appropriation_balance",
                ZERO,
                "结余分配",
                "balance_distribution",
                ZERO,
            ),
            (
                "年初结转和结余",
                "opening_balance",
                s["opening"],
                "年末结转和结余",
                "closing_balance",
                s["closing"],
            ),
            (
                "总计",
                "grand_total_income",
                s["grand"],
                "总计",
                "grand_total_expenditure",
                s["grand"],
            ),
        ]
        for l1, r1, v1, l2, r2, v2 in tail:
            align = "c" if l1 in ("本年收入合计", "总计") else "l"
            k = len(body) + 1
            body.append(
                side(0, l1, self.amount(tid, "amount", v1, row=r1), k, align)
                + side(w, l2, self.amount(tid, "amount", v2, row=r2), n_rows + k, align)
            )
        if ords:
            header = [
                [Cell(0, "收入", colspan=3), Cell(3, "支出", colspan=3)],
                [
                    Cell(0, "项目"),
                    Cell(1, "行次"),
                    Cell(2, "金额"),
                    Cell(3, "项目"),
                    Cell(4, "行次"),
                    Cell(5, "金额"),
                ],
            ]
            body.insert(
                0,
                [
                    Cell(0, "栏次"),
                    Cell(1, ""),
                    Cell(2, "1"),
                    Cell(3, "栏次"),
                    Cell(4, ""),
                    Cell(5, "2"),
                ],
            )
            widths = [150, 30, 70, 170, 30, 70]
        else:
            header = [
                [Cell(0, "收入", colspan=2), Cell(2, "支出", colspan=2)],
                [Cell(0, "项目"), Cell(1, "决算数"), Cell(2, "项目"), Cell(3, "决算数")],
            ]
            widths = [165, 72, 196, 72]
        grid = Grid(widths, header, body, size=9, min_row=16.5)
        d, y = self.dept, self.year
        self.out.tables[tid] = "present"
        self.op(
            "table",
            self.block(
                1,
                self.title(tid),
                grid,
                False,
                ["注：本表反映部门本年度的总收支和年末结转结余情况。"],
                heading=f"第二部分 {d}{y}年度部门决算表",
            ),
        )

    # ------------------------------------------------------------------ 02 / 03 / 05
    def coded(
        self,
        tid: str,
        n: int,
        measure: str,
        columns: list[tuple[str, str]],
        widths: list[float],
        name_w: float,
        wide: bool,
        total_first: bool,
        note: str,
        group: tuple[str, list[str]] | None = None,
        size: float = 9,
    ) -> None:
        """A function-coded table: 合计 row and 类/款/项 rows; columns (id, header)."""
        rows = tree(self.rep.lines, measure)
        tot = totals(rows)
        n_c = self.ncode
        heads = [(h, 3) for _, h in columns]
        header = self.code_header(
            "支出功能分类\n科目编码" if self.year < 2024 else "功能分类科目编码", 2, heads
        )
        if group:
            # "本年支出" over 小计 / 基本支出 / 项目支出 (older templates)
            gtext, leaves = group
            first = n_c + 1
            header[0] = [c for c in header[0] if c.col < first]
            header[0].append(Cell(first, gtext, colspan=len(leaves)))
            depth = len(header)
            for k, leaf in enumerate(leaves):
                header[1].append(Cell(first + k, leaf, rowspan=depth - 1))
        total_row = [Cell(0, "合计", colspan=n_c + 1)] + [
            Cell(n_c + 1 + k, self.amount(tid, cid, tot.get(cid, ZERO), row="total"), align="r")
            for k, (cid, _) in enumerate(columns)
        ]
        body: list[list[Cell]] = []
        for code, m in rows:
            row = [*self.code_cells(code), Cell(n_c, self.fname(code), align="l")]
            row += [
                Cell(n_c + 1 + k, self.amount(tid, cid, m.get(cid, ZERO), code=code), align="r")
                for k, (cid, _) in enumerate(columns)
            ]
            if self.st["split_codes"] and len(code) > 3:
                pass
            body.append(row)
        body = [total_row, *body] if total_first else [*body, total_row]
        if self.st["ordinals"]:
            body.insert(0, self.ordinal_row(n_c + 1, len(columns)))
        grid = Grid([*self.code_widths(), name_w, *widths], header, body, size=size, min_row=17)
        self.out.tables[tid] = "present"
        self.op("table", self.block(n, self.title(tid), grid, wide, [note]))

    def t02(self) -> None:
        cols = [
            ("total", "本年收入合计"),
            ("fiscal_appropriation", "财政拨款收入"),
            ("superior_subsidy", "上级补助收入"),
            ("business", "事业收入"),
            ("operating", "经营收入"),
            ("subsidiary_remittance", "附属单位上缴收入"),
            ("other", "其他收入"),
        ]
        self.coded(
            "income",
            2,
            "income",
            cols,
            [68] * 7,
            190,
            True,
            True,
            "注：本表反映部门本年度取得的各项收入情况。",
        )

    def t03(self) -> None:
        cols = [
            ("total", "本年支出合计"),
            ("basic", "基本支出"),
            ("project", "项目支出"),
            ("remit_superior", "上缴上级支出"),
            ("operating", "经营支出"),
            ("subsidiary_subsidy", "对附属单位补助支出"),
        ]
        self.coded(
            "expenditure",
            3,
            "expenditure",
            cols,
            [76] * 6,
            200,
            True,
            True,
            "注：本表反映部门本年度各项支出情况。",
        )

    def t05(self) -> None:
        if self.legacy():
            cols = [("total", "小计"), ("basic", "基本支出"), ("project", "项目支出")]
            group: tuple[str, list[str]] | None = ("本年支出", [h for _, h in cols])
        else:
            cols = [("total", "合计"), ("basic", "基本支出"), ("project", "项目支出")]
            group = None
        self.coded(
            "gpb_expenditure",
            5,
            "gpb",
            cols,
            [72] * 3,
            190,
            False,
            bool(self.st["total_first_05"]),
            "注：本表反映部门本年度一般公共预算财政拨款支出情况。",
            group=group,
        )

    # ------------------------------------------------------------------ 04
    def t04(self) -> None:
        tid = "fiscal_summary"
        s = self.sums()
        fis = s["fis"]
        by_class = {c: m for c, m in tree(self.rep.lines, "fiscal") if len(c) == 3}
        classes = class_list(self.year)
        cols = ["total", "gpb", "gov_fund", "state_capital"]
        income = [
            ("一般公共预算财政拨款", "gpb_appropriation", s["gpb_income"]),
            ("政府性基金预算财政拨款", "gov_fund_appropriation", s["gf_income"]),
            ("国有资本经营预算财政拨款", "state_capital_appropriation", ZERO),
        ]

        def exp_cells(
            values: dict[str, Decimal], code: str | None = None, row: str | None = None
        ) -> list[Cell]:
            return [
                Cell(3 + k, self.amount(tid, c, values.get(c, ZERO), code=code, row=row), align="r")
                for k, c in enumerate(cols)
            ]

        body: list[list[Cell]] = []
        for i in range(max(len(income), len(classes))):
            row = [Cell(0, "", align="l"), Cell(1, "", align="r")]
            if i < len(income):
                label, rid, v = income[i]
                row = [
                    Cell(0, f"{CN_NUM[i]}、{label}", align="l"),
                    Cell(1, self.amount(tid, "amount", v, row=rid), align="r"),
                ]
            c = classes[i]
            row += [Cell(2, f"{CN_NUM[i]}、{CLASS_NAMES[c]}", align="l")]
            row += exp_cells(by_class.get(c, {}), code=c)
            body.append(row)
        of, cf = s["opening_fiscal"], s["closing_fiscal"]
        closing = {"total": sum(cf.values(), ZERO), **cf}
        body.append(
            [
                Cell(0, "本年收入合计"),
                Cell(
                    1, self.amount(tid, "amount", s["fiscal_income"], row="total_income"), align="r"
                ),
                Cell(2, "本年支出合计"),
                *exp_cells(fis, row="total_expenditure"),
            ]
        )
        body.append(
            [
                Cell(0, "年初财政拨款结转和结余", align="l"),
                Cell(
                    1,
                    self.amount(tid, "amount", sum(of.values(), ZERO), row="opening_balance"),
                    align="r",
                ),
                Cell(2, "年末财政拨款结转和结余", align="l"),
                *exp_cells(closing, row="closing_balance"),
            ]
        )
        both_sides = self.year < 2023
        for k, (label, fund) in enumerate(
            (
                ("一般公共预算财政拨款", "gpb"),
                ("政府性基金预算财政拨款", "gov_fund"),
                ("国有资本经营预算财政拨款", "state_capital"),
            )
        ):
            row = [
                Cell(0, f"{CN_NUM[k]}、{label}", align="l"),
                Cell(
                    1,
                    self.amount(tid, "amount", of.get(fund, ZERO), row=f"opening_balance_{fund}"),
                    align="r",
                ),
            ]
            if both_sides:
                v = cf.get(fund, ZERO)
                row += [
                    Cell(2, f"{CN_NUM[k]}、{label}", align="l"),
                    *exp_cells({"total": v, fund: v}, row=f"closing_balance_{fund}"),
                ]
            else:
                row += [Cell(2, "", align="l")] + [Cell(3 + j, "") for j in range(4)]
            body.append(row)
        grand = {
            "total": fis["total"] + closing["total"],
            "gpb": fis["gpb"] + cf["gpb"],
            "gov_fund": fis["gov_fund"] + cf["gov_fund"],
            "state_capital": ZERO,
        }
        body.append(
            [
                Cell(0, "总计"),
                Cell(
                    1,
                    self.amount(tid, "amount", s["fiscal_grand"], row="grand_total_income"),
                    align="r",
                ),
                Cell(2, "总计"),
                *exp_cells(grand, row="grand_total_expenditure"),
            ]
        )
        header = [
            [Cell(0, "收入", colspan=2), Cell(2, "支出", colspan=5)],
            [
                Cell(0, "项目"),
                Cell(1, "决算数"),
                Cell(2, "项目"),
                Cell(3, "合计"),
                Cell(4, "一般公共预算财政拨款"),
                Cell(5, "政府性基金预算财政拨款"),
                Cell(6, "国有资本经营预算财政拨款"),
            ],
        ]
        grid = Grid([112, 56, 142, 50, 50, 50, 50], header, body, size=8.5, min_row=16, pad=2)
        self.out.tables[tid] = "present"
        self.op(
            "table",
            self.block(
                4,
                self.title(tid),
                grid,
                False,
                ["注：本表反映部门本年度财政拨款总收支和结转结余情况。"],
            ),
        )

    # ------------------------------------------------------------------ 06
    def t06(self) -> None:
        tid = "gpb_basic_expenditure"
        eco = self.rep.economic
        n_c = 2 if self.st["split_codes"] else 1

        def items(classes: tuple[str, ...]) -> list[tuple[str, Decimal]]:
            out = []
            for cls in classes:
                kids = ECONOMIC_TEMPLATE[cls]
                out.append((cls, sum((eco.get(k, ZERO) for k in kids), ZERO)))
                out += [(k, eco.get(k, ZERO)) for k in kids]
            return out

        stray = set(eco) - {k for v in ECONOMIC_TEMPLATE.values() for k in v}
        assert not stray, stray
        left, right = items(PERSONNEL_CLASSES), items(PUBLIC_CLASSES)
        personnel = sum((v for k, v in left if len(k) == 3), ZERO)
        public = sum((v for k, v in right if len(k) == 3), ZERO)
        three = bool(self.st["three_groups_06"])
        if three:
            flat = left + right
            per = -(-len(flat) // 3)
            groups = [flat[i * per : (i + 1) * per] for i in range(3)]
            gw = [28, 22, 122, 58] if n_c == 2 else [44, 128, 58]
        else:
            groups = [left, right]
            gw = [30, 24, 130, 62] if n_c == 2 else [46, 136, 62]
        ng = len(groups)
        width = len(gw)
        rows_n = max(len(g) for g in groups)
        body: list[list[Cell]] = []
        for r in range(rows_n):
            row: list[Cell] = []
            for gi, g in enumerate(groups):
                base = gi * width
                if r < len(g):
                    code, v = g[r]
                    if n_c == 2:
                        row += [Cell(base, code[:3]), Cell(base + 1, code[3:])]
                    else:
                        row += [Cell(base, code, align="l")]
                    row += [
                        Cell(base + n_c, self.ename(code), align="l"),
                        Cell(base + n_c + 1, self.amount(tid, "amount", v, code=code), align="r"),
                    ]
                else:
                    row += [Cell(base + k, "") for k in range(width)]
            body.append(row)
        last: list[Cell] = []
        for gi in range(ng):
            base = gi * width
            label, rid, v = (
                ("人员经费合计", "personnel_total", personnel)
                if gi == 0
                else ("公用经费合计", "public_total", public)
                if gi == 1
                else ("", "", ZERO)
            )
            last += [
                Cell(base, label, colspan=n_c + 1),
                Cell(
                    base + n_c + 1, self.amount(tid, "amount", v, row=rid) if rid else "", align="r"
                ),
            ]
        body.append(last)
        header: list[list[Cell]] = [[], []] if n_c == 2 else [[]]
        for gi in range(ng):
            base = gi * width
            header[0].append(Cell(base, "经济分类科目编码", colspan=n_c))
            header[0].append(Cell(base + n_c, "科目名称", rowspan=len(header)))
            header[0].append(Cell(base + n_c + 1, "决算数", rowspan=len(header)))
            if n_c == 2:
                header[1] += [Cell(base, "类"), Cell(base + 1, "款")]
        grid = Grid(gw * ng, header, body, size=8.5, min_row=15, pad=2)
        self.out.tables[tid] = "present"
        self.op(
            "table",
            self.block(
                6,
                self.title(tid),
                grid,
                three,
                ["注：本表反映部门本年度一般公共预算财政拨款基本支出明细情况。"],
            ),
        )

    # ------------------------------------------------------------------ 07
    def t07(self) -> None:
        tid = "three_public"
        t = self.rep.three
        budget, actual = t.full(t.budget), t.full(t.actual)
        old = self.year <= 2021
        veh = "公务用车购置及运行费" if old else "公务用车购置及运行维护费"
        op = "公务用车运行费" if old else "公务用车运行维护费"
        zero = bool(self.st["zero_three"])
        empty = not any(budget.values()) and not any(actual.values())
        notes = ["注：本表反映部门本年度“三公”经费支出预决算情况。"]
        if empty and not zero:
            notes.append(
                f"说明：{self.dept}{self.year}年度无财政拨款“三公”经费支出，故本表为空表。"
            )
        keys = [
            "total",
            "overseas",
            "vehicles",
            "vehicle_purchase",
            "vehicle_operation",
            "reception",
        ]
        body: list[list[Cell]] = [[]]
        if self.st["three_layout"] == "interleaved":
            # 合计(预算数, 决算数), 因公出国(境)费(预算数, 决算数), … (2024 template, Shanghai)
            header = [
                [Cell(0, "财政拨款“三公”经费", colspan=12)],
                [
                    Cell(0, "合计", colspan=2, rowspan=2),
                    Cell(2, "因公出国（境）费", colspan=2, rowspan=2),
                    Cell(4, veh, colspan=6),
                    Cell(10, "公务接待费", colspan=2, rowspan=2),
                ],
                [
                    Cell(4, "小计", colspan=2),
                    Cell(6, "公务用车购置费", colspan=2),
                    Cell(8, op, colspan=2),
                ],
                [Cell(k, "预算数" if k % 2 == 0 else "决算数") for k in range(12)],
            ]
            slots = [
                (2 * k + j, phase, key)
                for k, key in enumerate(keys)
                for j, phase in enumerate(("budget", "actual"))
            ]
        else:
            # 预算数 (合计, 因公出国(境)费, 公务用车…, 公务接待费), 决算数 (the same): the
            # national template of 2019-2022 (seeds 003, 004)
            header = [[Cell(0, "预算数", colspan=6), Cell(6, "决算数", colspan=6)], [], []]
            for base in (0, 6):
                header[1] += [
                    Cell(base, "合计", rowspan=2),
                    Cell(base + 1, "因公出国（境）费", rowspan=2),
                    Cell(base + 2, veh, colspan=3),
                    Cell(base + 5, "公务接待费", rowspan=2),
                ]
                header[2] += [
                    Cell(base + 2, "小计"),
                    Cell(base + 3, "公务用车购置费"),
                    Cell(base + 4, op),
                ]
            slots = [
                (6 * j + k, phase, key)
                for j, phase in enumerate(("budget", "actual"))
                for k, key in enumerate(keys)
            ]
        if self.st["ordinals"]:
            body.insert(0, [Cell(k, str(k + 1)) for k in range(12)])
        values = {"budget": budget, "actual": actual}
        for col, phase, key in sorted(slots):
            body[-1].append(
                Cell(
                    col,
                    self.amount(tid, f"{phase}_{key}", values[phase][key], row=key, zero=zero),
                    align="r",
                )
            )
        grid = Grid([60] * 12, header, body, size=9, min_row=20)
        self.out.tables[tid] = "declared_empty" if empty and not zero else "present"
        self.op("table", self.block(7, self.title(tid), grid, True, notes))

    # ------------------------------------------------------------------ 08 / 09
    def balance_table(self, tid: str, n: int, lines: list[FLine], what: str) -> None:
        rows = tree(lines, "gov_fund") if lines else []
        n_c = self.ncode
        cols = [
            ("opening_balance", "年初结转和结余"),
            ("income", "本年收入"),
            ("expenditure_total", "小计"),
            ("basic", "基本支出"),
            ("project", "项目支出"),
            ("closing_balance", "年末结转和结余"),
        ]
        legacy_capital = tid == "state_capital" and self.year < 2023
        if legacy_capital:
            cols = [("total", "合计"), ("basic", "基本支出"), ("project", "项目支出")]
        header = self.code_header("功能分类科目编码", 2, [])
        depth = len(header)
        first = n_c + 1
        if legacy_capital:
            header[0].append(Cell(first, "本年支出", colspan=3))
            for k, (_, h) in enumerate(cols):
                header[1].append(Cell(first + k, h, rowspan=depth - 1))
        else:
            header[0] += [
                Cell(first, "年初结转和结余", rowspan=depth),
                Cell(first + 1, "本年收入", rowspan=depth),
                Cell(first + 2, "本年支出", colspan=3),
                Cell(first + 5, "年末结转和结余", rowspan=depth),
            ]
            header[1] += [
                Cell(first + 2 + k, h, rowspan=depth - 1)
                for k, h in enumerate(("小计", "基本支出", "项目支出"))
            ]
        tot = totals(rows)
        body = [
            [Cell(0, "合计", colspan=n_c + 1)]
            + [
                Cell(first + k, self.amount(tid, cid, tot.get(cid, ZERO), row="total"), align="r")
                for k, (cid, _) in enumerate(cols)
            ]
        ]
        for code, m in rows:
            body.append(
                self.code_cells(code)
                + [Cell(n_c, self.fname(code), align="l")]
                + [
                    Cell(first + k, self.amount(tid, cid, m.get(cid, ZERO), code=code), align="r")
                    for k, (cid, _) in enumerate(cols)
                ]
            )
        if self.st["ordinals"]:
            body.insert(0, self.ordinal_row(first, len(cols)))
        notes = []
        if not rows:
            for _ in range(3):
                body.append([Cell(k, "") for k in range(first + len(cols))])
            notes.append(f"注：{self.dept}{self.year}年度没有{what}收入和支出，故本表无数据。")
            self.out.tables[tid] = "declared_empty"
        else:
            notes.append(f"注：本表反映部门本年度{what}收入、支出及结转和结余情况。")
            self.out.tables[tid] = "present"
        widths = self.code_widths() + [180] + [70] * len(cols)
        grid = Grid(widths, header, body, size=9, min_row=18)
        self.op("table", self.block(n, self.title(tid), grid, sum(widths) > 511, notes))

    def t08(self) -> None:
        self.balance_table(
            "gov_fund",
            8,
            [f for f in self.rep.lines if f.role == "gov_fund"],
            "政府性基金预算财政拨款",
        )

    def t09(self) -> None:
        self.balance_table("state_capital", 9, [], "国有资本经营预算财政拨款")

    # ------------------------------------------------------------------ narrative
    def said(self, v: Decimal, what: str) -> str:
        """An amount in the narrative (recorded in the truth), 2 decimals, no separators."""
        text = f"{v:.2f}"
        self.out.narrative.append({"what": what, "printed": text})
        return text

    def change(self, cur: Decimal, prev: Decimal, what: str) -> str:
        d = cur - prev
        p = pct(abs(d), prev)
        if d >= 0:
            return f"增加{self.said(d, what + '_change')}万元，增长{p}%"
        return f"减少{self.said(-d, what + '_change')}万元，下降{p}%"

    def narrative(self) -> None:
        d, y, rep = self.dept, self.year, self.rep
        s = self.sums()
        inc, exp = s["inc"], s["exp"]
        P = self.op
        P("page", False)
        P("heading", f"第三部分 {d}{y}年度部门决算情况说明", 16, "c", 20)
        P("heading", "一、收入支出决算总体情况说明", 12.5, "l", 8)
        P(
            "para",
            f"{d}{y}年度收入、支出总计均为{self.said(s['grand'], 'total')}万元。"
            f"与{y - 1}年度相比，收入、支出总计各"
            f"{self.change(s['grand'], rep.prev['total'], 'total')}。"
            f"主要原因是本年度人员经费和项目经费有所变动。",
        )
        P("heading", "二、收入决算情况说明", 12.5, "l", 8)
        parts = [f"本年收入合计{self.said(inc['total'], 'total_income')}万元，其中："]
        names = [
            ("fiscal_appropriation", "财政拨款收入"),
            ("superior_subsidy", "上级补助收入"),
            ("business", "事业收入"),
            ("other", "其他收入"),
        ]
        bits = [
            f"{label}{self.said(inc[k], k)}万元，占{pct(inc[k], inc['total'])}%"
            for k, label in names
            if inc[k]
        ]
        P("para", parts[0] + "；".join(bits) + "。")
        P("heading", "三、支出决算情况说明", 12.5, "l", 8)
        bits = [
            f"{label}{self.said(exp[k], k)}万元，占{pct(exp[k], exp['total'])}%"
            for k, label in (("basic", "基本支出"), ("project", "项目支出"))
            if exp[k]
        ]
        P(
            "para",
            f"本年支出合计{self.said(exp['total'], 'total_expenditure')}万元，其中："
            + "；".join(bits)
            + "。",
        )
        P("heading", "四、财政拨款收入支出决算总体情况说明", 12.5, "l", 8)
        P(
            "para",
            f"{d}{y}年度财政拨款收入、支出总计均为{self.said(s['fiscal_grand'], 'fiscal')}万元。"
            f"与{y - 1}年度相比，财政拨款收入、支出总计各"
            f"{self.change(s['fiscal_grand'], rep.prev['fiscal'], 'fiscal')}。"
            "主要原因是财政拨款安排的项目支出有所调整。",
        )
        P("heading", "五、一般公共预算财政拨款支出决算情况说明", 12.5, "l", 8)
        gpb_rows = tree(rep.lines, "gpb")
        gt = totals(gpb_rows)
        P("heading", "（一）一般公共预算财政拨款支出决算总体情况", 12, "l", 6)
        P(
            "para",
            f"{y}年度一般公共预算财政拨款支出{self.said(gt['total'], 'gpb')}万元，"
            f"占本年支出合计的{pct(gt['total'], exp['total'])}%。与{y - 1}年度相比，"
            f"一般公共预算财政拨款支出{self.change(gt['total'], rep.prev['gpb'], 'gpb')}。",
        )
        P("heading", "（二）一般公共预算财政拨款支出决算结构情况", 12, "l", 6)
        bits = [
            f"{self.fname(c)}（类）{self.said(m['total'], c)}万元，"
            f"占{pct(m['total'], gt['total'])}%"
            for c, m in gpb_rows
            if len(c) == 3 and m["total"]
        ]
        P(
            "para",
            f"{y}年度一般公共预算财政拨款支出{self.said(gt['total'], 'gpb')}万元，"
            f"主要用于以下方面：" + "；".join(bits) + "。",
        )
        P("heading", "（三）一般公共预算财政拨款支出决算具体情况", 12, "l", 6)
        lines = sorted((f for f in rep.lines if f.b_g + f.p_g), key=lambda f: f.code)
        budget = sum((f.budget for f in lines), ZERO)
        P(
            "para",
            f"{y}年度一般公共预算财政拨款支出年初预算为{self.said(budget, 'gpb_budget')}万元，"
            f"支出决算为{self.said(gt['total'], 'gpb')}万元，完成年初预算的"
            f"{pct(gt['total'], budget)}%。其中：",
        )
        for i, f in enumerate(lines, 1):
            a = f.b_g + f.p_g
            path = (
                f"{self.fname(f.code[:3])}（类）{self.fname(f.code[:5])}（款）"
                f"{self.fname(f.code)}（项）"
            )
            why = (
                "决算数与预算数持平。"
                if a == f.budget
                else "决算数大于预算数的主要原因是年中追加了相关经费。"
                if a > f.budget
                else "决算数小于预算数的主要原因是厉行节约、压减一般性支出。"
            )
            P(
                "para",
                f"{i}、{path}。年初预算为{self.said(f.budget, f.code + '_budget')}万元，"
                f"支出决算为{self.said(a, f.code)}万元，完成年初预算的{pct(a, f.budget)}%。" + why,
            )
        P("heading", "六、一般公共预算财政拨款基本支出决算情况说明", 12.5, "l", 8)
        eco = rep.economic
        per = sum((v for k, v in eco.items() if k[:3] in PERSONNEL_CLASSES), ZERO)
        pub = sum((v for k, v in eco.items() if k[:3] in PUBLIC_CLASSES), ZERO)
        pn = "、".join(self.ename(k) for k in sorted(eco) if k[:3] in PERSONNEL_CLASSES)
        un = "、".join(self.ename(k) for k in sorted(eco) if k[:3] in PUBLIC_CLASSES)
        P(
            "para",
            f"{y}年度一般公共预算财政拨款基本支出{self.said(gt['basic'], 'gpb_basic')}万元，"
            f"其中：人员经费{self.said(per, 'personnel')}万元，主要包括：{pn}；"
            f"公用经费{self.said(pub, 'public')}万元，主要包括：{un}。",
        )
        P("heading", "七、财政拨款“三公”经费支出决算情况说明", 12.5, "l", 8)
        t = rep.three
        bud, act = t.full(t.budget), t.full(t.actual)
        if bud["total"] or act["total"]:

            def rate(k: str) -> str:
                return f"，完成预算的{pct(act[k], bud[k])}%" if bud[k] else ""

            P(
                "para",
                f"{y}年度“三公”经费财政拨款支出年初预算为"
                f"{self.said(bud['total'], 'three_budget')}万元，"
                f"支出决算为{self.said(act['total'], 'three_actual')}万元{rate('total')}，其中："
                f"因公出国（境）费支出决算为{self.said(act['overseas'], 'overseas')}万元"
                f"{rate('overseas')}；公务用车购置及运行维护费支出决算为"
                f"{self.said(act['vehicles'], 'vehicles')}万元{rate('vehicles')}；"
                f"公务接待费支出决算为{self.said(act['reception'], 'reception')}万元"
                f"{rate('reception')}。",
            )
        else:
            P("para", f"{d}{y}年度无“三公”经费财政拨款支出。")
        P("heading", "八、政府性基金预算财政拨款收入支出决算情况说明", 12.5, "l", 8)
        gf = [f for f in rep.lines if f.role == "gov_fund"]
        if gf:
            gi = sum((f.gov_fund()["income"] for f in gf), ZERO)
            ge = sum((f.p_f for f in gf), ZERO)
            P(
                "para",
                f"{y}年度政府性基金预算财政拨款收入{self.said(gi, 'gf_income')}万元，"
                f"政府性基金预算财政拨款支出{self.said(ge, 'gf_expenditure')}万元。",
            )
        else:
            P("para", f"{d}{y}年度无政府性基金预算财政拨款收入和支出。")
        P("heading", "九、国有资本经营预算财政拨款收入支出决算情况说明", 12.5, "l", 8)
        P("para", f"{d}{y}年度无国有资本经营预算财政拨款收入和支出。")
        P("heading", "十、预算绩效管理情况", 12.5, "l", 8)
        # amounts of project evaluations: the parser skips 绩效 sections (not in the truth)
        projects = [f for f in rep.lines if f.p_g]
        k1 = len(projects)
        evaluated = projects[: max(0, k1 - rep.index % 2)]
        P(
            "para",
            f"本部门按照全面实施预算绩效管理的要求，编报绩效目标的{y}年度项目{k1}个，"
            f"涉及预算金额{sum((f.p_g for f in projects), ZERO):.2f}万元；绩效自评的{y}年度项目"
            f"{len(evaluated)}个，涉及预算金额{sum((f.p_g for f in evaluated), ZERO):.2f}万元，"
            "自评结果已按规定报送财政部门。",
        )
        P("heading", "十一、其他重要事项的情况说明", 12.5, "l", 8)
        P("heading", "（一）机关运行经费支出情况", 12, "l", 6)
        P(
            "para",
            f"{y}年度机关运行经费支出{self.said(pub, 'office')}万元，比{y - 1}年度"
            f"{self.change(pub, rep.prev['office'], 'office')}。主要原因是加强日常公用经费管理。",
        )
        P("heading", "（二）政府采购支出情况", 12, "l", 6)
        g, w, sv = rep.procurement
        P(
            "para",
            f"{y}年度政府采购支出总额{self.said(g + w + sv, 'procurement')}万元，其中："
            f"政府采购货物支出{self.said(g, 'goods')}万元、"
            f"政府采购工程支出{self.said(w, 'works')}万元、"
            f"政府采购服务支出{self.said(sv, 'services')}万元。",
        )
        P("heading", "（三）国有资产占有使用情况", 12, "l", 6)
        P(
            "para",
            f"截至{y}年12月31日，本部门共有车辆{rep.vehicles}辆，其中：一般公务用车"
            f"{rep.vehicles}辆；单价100万元（含）以上设备0台（套）。",
        )

    def glossary(self) -> None:
        P = self.op
        P("heading", "第四部分 名词解释", 16, "c", 20)
        for text in (
            "一、财政拨款收入：指单位本年度从本级财政部门取得的财政拨款，包括一般公共预算财政拨款和政府性基金预算财政拨款。",
            "二、其他收入：指单位取得的除上述收入以外的各项收入，主要是存款利息收入等。",
            "三、年初结转和结余：指以前年度尚未完成、结转到本年按有关规定继续使用的资金。",
            "四、基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员支出和公用支出。",
            "五、项目支出：指在基本支出之外为完成特定行政任务和事业发展目标所发生的支出。",
            "六、“三公”经费：指部门用财政拨款安排的因公出国（境）费、公务用车购置及运行维护费和公务接待费。",
            "七、机关运行经费：指为保障行政单位运行用于购买货物和服务的各项资金。",
        ):
            P("para", text)


def render(printed: Printed, path: str, page_numbers: bool) -> tuple[int, int]:
    """Write the PDF; return its page count and the number of tables spanning pages."""
    w = Writer(path, page_numbers=page_numbers)
    for op, *args in printed.ops:
        if op == "page":
            w.new_page(args[0])
        elif op == "space":
            w.space(args[0])
        elif op == "heading":
            w.heading(*args)
        elif op == "para":
            w.paragraph(*args)
        elif op == "grid":
            g = args[0]
            w._grid(g, (w.size[0] - sum(g.widths)) / 2)
        elif op == "table":
            w.table(args[0])
    w.save()
    return w.page, sum(1 for _, n in w.spans if n > 1)


def build(rep: Report) -> Printed:
    return Builder(rep).build()
