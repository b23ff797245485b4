"""The region a department name starts with (it names packages and CKAN organisations)."""

from __future__ import annotations

import pytest

from fiscalpub.parse.identity import region as _region


@pytest.mark.parametrize(
    ("department", "region"),
    [
        ("安阳市北关区医疗保障局", "安阳市北关区"),
        ("岳阳市屈原管理区医疗保障局", "岳阳市屈原管理区"),
        ("友好区医疗保障局", "友好区"),
        ("上海市普陀区财政局", "上海市普陀区"),
        ("江苏省人大常委会办公厅", "江苏省"),
        ("内蒙古自治区呼和浩特市新城区教育局", "内蒙古自治区呼和浩特市新城区"),
        # the department's own name begins with a unit character: not part of the place
        ("北京市朝阳区市场监督管理局", "北京市朝阳区"),
        ("上海市普陀区城市管理局", "上海市普陀区"),
        ("重庆市渝中区区域发展局", "重庆市渝中区"),
        ("某市某区市政管理局", "某市某区"),
        ("财政局", None),
        # 州 is part of a city's name, not a unit of its own
        ("福州市科学技术局", "福州市"),
        ("广州市城市管理和综合执法局", "广州市"),
        ("甘孜藏族自治州财政局", "甘孜藏族自治州"),
    ],
)
def test_region(department: str, region: str | None) -> None:
    assert _region(department).name == region
