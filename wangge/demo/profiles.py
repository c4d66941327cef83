"""The demo districts, from the figures of the two source articles (seeds/).

qilihe — Qilihe District, Lanzhou (620103), March 2022: 9 streets, 65 communities and 638
compounds (the seed's figures, exact), 4 towns and 2 townships with about 60
administrative villages (八里窑村 belongs to 八里镇); 571,000 people at the end of 2013.

yumen — Yumen City, Jiuquan (620981), October 2021: 26 urban and rural communities and 59
administrative villages (the seed's figures, exact), among them 迎宾路社区 of 新市区街道 with
the compounds 巨龙御园小区, 普安花园 and 博华雅居, 官庄子社区, and 川北镇村 of 下西号镇.

Names of communities and villages are plausible, not a registry: the demo is synthetic.
Codes follow the 12-digit statistical pattern: district (6) + street/town (3: streets
001…, towns 100…, townships 200…) + community (001…) or village (201…).
"""

import datetime as dt
from dataclasses import dataclass, field

from wangge.areas.choices import AreaKind


@dataclass(frozen=True)
class Subdivision:
    """A street, town or township with its communities and villages."""

    name: str
    kind: AreaKind
    communities: tuple[str, ...] = ()
    villages: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkforceFigures:
    """The seed's figures of the people at work, where it gives them; None: the generator
    picks a plausible number (wangge/demo/workforce.py)."""

    # The streets' part: staff of the streets and their communities, grid leaders and
    # members among them; stationed cadres by the level that sent them; committee members.
    urban_staff: int | None = None
    city_cadres: int | None = None
    district_cadres: int | None = None
    committee_members: int | None = None
    veterans: int | None = None
    volunteers: int | None = None
    party_vanguard_teams: int = 3
    women_and_youth_teams: int = 2
    # "more than 5,000 people sent down to communities and villages": the generator adds a
    # little to it, so the figure reads like a count (5,0xx).
    sent_down_over: int | None = None


@dataclass(frozen=True)
class Profile:
    """Everything the generator needs to build one demo district."""

    key: str
    city: tuple[str, str]  # name, code
    district: tuple[str, str]
    subdivisions: tuple[Subdivision, ...]
    compounds: int  # spread over the communities
    named_compounds: dict[str, tuple[str, ...]]  # community → compounds that must be there
    groups_per_village: tuple[int, int]
    default_residents: int
    real_population: int
    # People registered elsewhere in Gansu living here (floating population).
    floating_regions: tuple[str, ...]
    floating_household_share: float  # of households in compounds; a fifth of it in villages
    ethnicities: tuple[tuple[str, float], ...]
    # Villages where another ethnicity is the majority (e.g. the Dongxiang townships).
    ethnic_subdivisions: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)
    # Where the demo logins work.
    street: str = ""
    community: str = ""
    compound: str = ""
    login_prefix: str = ""
    seed_year: int = 2022
    # Ages are counted to this date, so that a seed gives the same people on any day.
    reference_date: dt.date = dt.date(2022, 3, 27)
    # Order codes (digits 15–17 of an ID number) this profile uses: two profiles in one
    # database never make the same number.
    order_range: tuple[int, int] = (0, 500)
    # Average residents of a compound and of a village group (before scaling).
    compound_size: tuple[int, int] = (300, 2400)
    group_size: tuple[int, int] = (80, 420)
    workforce: WorkforceFigures = field(default_factory=WorkforceFigures)

    @property
    def region(self) -> str:
        return self.district[1]

    @property
    def communities(self) -> int:
        return sum(len(s.communities) for s in self.subdivisions)

    @property
    def villages(self) -> int:
        return sum(len(s.villages) for s in self.subdivisions)


def _s(name: str, *communities: str) -> Subdivision:
    return Subdivision(name, AreaKind.STREET, communities=communities)


QILIHE = Profile(
    key="qilihe",
    city=("兰州市", "620100"),
    district=("七里河区", "620103"),
    subdivisions=(
        _s(
            "西园街道",
            "西园社区",
            "民主西路社区",
            "骆驼巷社区",
            "五里铺社区",
            "上西园社区",
            "下西园社区",
            "西津东路社区",
            "兰工坪社区",
        ),
        _s(
            "西湖街道",
            "西湖社区",
            "小西湖社区",
            "七里河北街社区",
            "西湖东社区",
            "柏树巷社区",
            "瓜州路社区",
            "西湖公园社区",
        ),
        _s(
            "建兰路街道",
            "建兰路社区",
            "民勤街社区",
            "硷沟沿社区",
            "吴家园社区",
            "七里河桥社区",
            "建兰北社区",
            "工林路社区",
            "建西东路社区",
        ),
        _s(
            "敦煌路街道",
            "敦煌路社区",
            "郑家庄社区",
            "兰州路社区",
            "敦煌路北社区",
            "武威路社区",
            "华林山社区",
            "任家庄社区",
            "西津西路社区",
        ),
        _s(
            "西站街道",
            "西站社区",
            "火车西站社区",
            "西站东路社区",
            "建西西路社区",
            "兰通厂社区",
            "西站西路社区",
            "南滨河路社区",
        ),
        _s(
            "晏家坪街道",
            "晏家坪社区",
            "马滩社区",
            "晏家坪东社区",
            "阿干路社区",
            "硷沟社区",
            "晏家坪南社区",
            "王家堡社区",
        ),
        _s(
            "龚家湾街道",
            "龚家湾社区",
            "龚家湾南社区",
            "理工大社区",
            "林家庄社区",
            "南山路社区",
            "工林西路社区",
            "龚家湾北社区",
        ),
        _s(
            "土门墩街道",
            "土门墩社区",
            "土门墩东社区",
            "三角线社区",
            "金港城社区",
            "兰工社区",
            "土门墩西社区",
        ),
        _s(
            "秀川街道",
            "秀川社区",
            "秀川新城社区",
            "南滨河社区",
            "秀川南社区",
            "河湾社区",
            "马滩西社区",
            "秀川北社区",
        ),
        Subdivision(
            "阿干镇",
            AreaKind.TOWN,
            villages=(
                "阿干村",
                "石佛沟村",
                "铁冶村",
                "大水子村",
                "高林沟村",
                "马家坡村",
                "后窑村",
                "烂泥沟村",
                "琅峪村",
                "向阳村",
                "山寨村",
                "壑岘村",
            ),
        ),
        Subdivision(
            "八里镇",
            AreaKind.TOWN,
            villages=(
                "八里窑村",
                "崔家崖村",
                "五星坪村",
                "彭家营村",
                "王家堡村",
                "黄家庄村",
                "崖头岭村",
                "范家湾村",
                "上园村",
            ),
        ),
        Subdivision(
            "彭家坪镇",
            AreaKind.TOWN,
            villages=(
                "彭家坪村",
                "韩家河村",
                "石板山村",
                "后五泉村",
                "东果园村",
                "西沟村",
                "大坪村",
                "花寨子村",
            ),
        ),
        Subdivision(
            "西果园镇",
            AreaKind.TOWN,
            villages=(
                "西果园村",
                "袁家湾村",
                "青石村",
                "红星村",
                "中庄村",
                "八坡村",
                "张家庄村",
                "宋家沟村",
                "沈家坡村",
                "张家河湾村",
                "马家滩村",
                "上庄村",
                "下庄村",
                "柳树沟村",
            ),
        ),
        Subdivision(
            "魏岭乡",
            AreaKind.TOWNSHIP,
            villages=(
                "魏岭村",
                "马家山村",
                "老虎沟村",
                "朱家沟村",
                "甘草沟村",
                "贾家坪村",
                "黄家峪村",
                "郭家坪村",
                "红崖村",
            ),
        ),
        Subdivision(
            "黄峪乡",
            AreaKind.TOWNSHIP,
            villages=(
                "黄峪村",
                "上庄子村",
                "张家河村",
                "谢家湾村",
                "古城村",
                "红崖子村",
                "阳洼村",
                "石头沟村",
            ),
        ),
    ),
    compounds=638,
    named_compounds={},
    groups_per_village=(4, 9),
    default_residents=100_000,
    real_population=571_000,
    floating_regions=(
        "620102",  # 城关区
        "620104",  # 西固区
        "620105",  # 安宁区
        "620111",  # 红古区
        "620121",  # 永登县
        "620122",  # 皋兰县
        "620123",  # 榆中县
        "621102",  # 安定区
        "621121",  # 通渭县
        "621122",  # 陇西县
        "620402",  # 白银区
        "620421",  # 靖远县
        "622921",  # 临夏县
        "622926",  # 东乡族自治县
        "620502",  # 秦州区
        "621202",  # 武都区
    ),
    floating_household_share=0.12,
    ethnicities=(
        ("汉族", 0.935),
        ("回族", 0.047),
        ("东乡族", 0.006),
        ("藏族", 0.005),
        ("满族", 0.004),
        ("土族", 0.003),
    ),
    street="西园街道",
    community="西园社区",
    seed_year=2022,
    reference_date=dt.date(2022, 3, 27),
    order_range=(0, 500),
    # "9个街道、65个社区的1848名工作人员，429名市级、790名区级驻守干部、428名“社工委”委员、
    # 196名退役军人和657名志愿者奋战在638个小区".
    workforce=WorkforceFigures(
        urban_staff=1848,
        city_cadres=429,
        district_cadres=790,
        committee_members=428,
        veterans=196,
        volunteers=657,
        party_vanguard_teams=4,
        women_and_youth_teams=3,
    ),
)


YUMEN = Profile(
    key="yumen",
    city=("酒泉市", "620900"),
    district=("玉门市", "620981"),
    subdivisions=(
        _s(
            "新市区街道",
            "迎宾路社区",
            "油城社区",
            "新华社区",
            "建设路社区",
            "文化路社区",
            "昌盛社区",
            "康乐社区",
            "石油社区",
            "幸福社区",
        ),
        _s("博湖街道", "博湖社区", "阳光社区", "和谐社区", "惠民社区", "新城社区", "花园社区"),
        Subdivision(
            "玉门镇",
            AreaKind.TOWN,
            communities=("官庄子社区", "玉门镇社区", "代家滩社区", "东渠社区"),
            villages=(
                "代家滩村",
                "东渠村",
                "红旗村",
                "城北村",
                "城南村",
                "新风村",
                "沙地村",
                "北坝村",
                "西渠村",
            ),
        ),
        Subdivision(
            "老君庙镇",
            AreaKind.TOWN,
            communities=("老君庙社区", "石油河社区", "鸭儿峡社区"),
        ),
        Subdivision(
            "赤金镇",
            AreaKind.TOWN,
            communities=("赤金社区",),
            villages=(
                "赤金村",
                "光明村",
                "东湖村",
                "西湖村",
                "金峡村",
                "铁人村",
                "上赤金村",
                "和平村",
            ),
        ),
        Subdivision(
            "花海镇",
            AreaKind.TOWN,
            communities=("花海社区",),
            villages=(
                "花海村",
                "金湾村",
                "毕家滩村",
                "南渠村",
                "北渠村",
                "西小宛村",
                "东小宛村",
                "黄水桥村",
                "永丰村",
            ),
        ),
        Subdivision(
            "下西号镇",
            AreaKind.TOWN,
            communities=("下西号社区",),
            villages=(
                "川北镇村",
                "下西号村",
                "塔尔湾村",
                "庙北村",
                "川南村",
                "白杨河村",
                "上西号村",
            ),
        ),
        Subdivision(
            "柳河镇",
            AreaKind.TOWN,
            communities=("柳河社区",),
            villages=("柳河村", "蘑菇台村", "红柳湾村", "长沙岭村", "沙河村", "农丰村"),
        ),
        Subdivision(
            "黄闸湾镇",
            AreaKind.TOWN,
            villages=("黄闸湾村", "天津卫村", "八道沟村", "大坝村", "中渠村", "三工村"),
        ),
        Subdivision(
            "昌马镇",
            AreaKind.TOWN,
            villages=("昌马村", "水峡村", "上堡子村", "下堡子村", "马场村"),
        ),
        Subdivision(
            "清泉乡",
            AreaKind.TOWNSHIP,
            villages=("清泉村", "跃进村", "双塔村", "马莲泉村"),
        ),
        Subdivision(
            "小金湾东乡族乡",
            AreaKind.TOWNSHIP,
            villages=("金庄村", "金湾东村", "金湾西村"),
        ),
        Subdivision(
            "独山子东乡族乡",
            AreaKind.TOWNSHIP,
            villages=("独山子村", "新湖村"),
        ),
    ),
    compounds=182,
    named_compounds={"迎宾路社区": ("巨龙御园小区", "普安花园", "博华雅居")},
    groups_per_village=(3, 8),
    default_residents=60_000,
    real_population=140_000,
    floating_regions=(
        "620902",  # 肃州区
        "620921",  # 金塔县
        "620922",  # 瓜州县
        "620982",  # 敦煌市
        "620702",  # 甘州区
        "620302",  # 金川区
        "620103",  # 七里河区
        "622926",  # 东乡族自治县
        "621102",  # 安定区
        "620502",  # 秦州区
    ),
    floating_household_share=0.08,
    ethnicities=(
        ("汉族", 0.94),
        ("回族", 0.025),
        ("东乡族", 0.025),
        ("蒙古族", 0.005),
        ("藏族", 0.003),
        ("裕固族", 0.002),
    ),
    ethnic_subdivisions={
        "小金湾东乡族乡": (("东乡族", 0.82), ("汉族", 0.12), ("回族", 0.06)),
        "独山子东乡族乡": (("东乡族", 0.85), ("汉族", 0.1), ("回族", 0.05)),
    },
    street="新市区街道",
    community="迎宾路社区",
    compound="巨龙御园小区",
    login_prefix="yumen-",
    seed_year=2021,
    reference_date=dt.date(2021, 10, 25),
    order_range=(500, 1000),
    compound_size=(200, 1500),
    group_size=(60, 320),
    # "全市组建党员先锋队85个，“巾帼志愿者服务队”“青年先锋队”55个，5000多名党员干部、团员青年
    # 下沉到社区、村组".
    workforce=WorkforceFigures(
        party_vanguard_teams=85, women_and_youth_teams=55, sent_down_over=5000
    ),
)

PROFILES: dict[str, Profile] = {profile.key: profile for profile in (QILIHE, YUMEN)}
