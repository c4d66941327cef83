"""The words registers use for sex, status, document types and categories of people.

Sheets and forms give 男 / 女, 在住 / 外出, 居民身份证 / 护照, 卧床 / 孕妇 …; these maps
turn them into the registry's codes. Unknown words return None so the validator can say
so. Age categories (80岁以上, 婴幼儿) are not stored: they derive from the birth year.
"""

import re
import unicodedata
from functools import lru_cache

from wangge.lib.idnumbers import IdType
from wangge.residents.choices import ResidentStatus, Sex, Tag


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


SEX_WORDS: dict[str, str] = {
    "": Sex.UNKNOWN,
    "u": Sex.UNKNOWN,
    "unknown": Sex.UNKNOWN,
    "未知": Sex.UNKNOWN,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "男": Sex.MALE,
    "男性": Sex.MALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "女": Sex.FEMALE,
    "女性": Sex.FEMALE,
}

STATUS_WORDS: dict[str, str] = {
    "": ResidentStatus.PRESENT,
    "present": ResidentStatus.PRESENT,
    "在住": ResidentStatus.PRESENT,
    "常住": ResidentStatus.PRESENT,
    "居住": ResidentStatus.PRESENT,
    "现住": ResidentStatus.PRESENT,
    "在家": ResidentStatus.PRESENT,
    "正常": ResidentStatus.PRESENT,
    "away": ResidentStatus.AWAY,
    "外出": ResidentStatus.AWAY,
    "在外": ResidentStatus.AWAY,
    "不在": ResidentStatus.AWAY,
    "外地": ResidentStatus.AWAY,
    "hospitalised": ResidentStatus.HOSPITALISED,
    "hospitalized": ResidentStatus.HOSPITALISED,
    "inhospital": ResidentStatus.HOSPITALISED,
    "住院": ResidentStatus.HOSPITALISED,
    "住院治疗": ResidentStatus.HOSPITALISED,
    "moved_out": ResidentStatus.MOVED_OUT,
    "movedout": ResidentStatus.MOVED_OUT,
    "迁出": ResidentStatus.MOVED_OUT,
    "已迁出": ResidentStatus.MOVED_OUT,
    "搬离": ResidentStatus.MOVED_OUT,
    "已搬离": ResidentStatus.MOVED_OUT,
    "deceased": ResidentStatus.DECEASED,
    "死亡": ResidentStatus.DECEASED,
    "已死亡": ResidentStatus.DECEASED,
    "已故": ResidentStatus.DECEASED,
    "去世": ResidentStatus.DECEASED,
    "已去世": ResidentStatus.DECEASED,
    "亡故": ResidentStatus.DECEASED,
    "病故": ResidentStatus.DECEASED,
    "过世": ResidentStatus.DECEASED,
    "已过世": ResidentStatus.DECEASED,
    "逝世": ResidentStatus.DECEASED,
    "身故": ResidentStatus.DECEASED,
}
# 外出务工, 外出上学, 在外打工, 住院中, 死亡注销 … : a status word followed by its reason.
_STATUS_STEMS = (
    ("外出", ResidentStatus.AWAY),
    ("在外", ResidentStatus.AWAY),
    ("已外出", ResidentStatus.AWAY),
    ("住院", ResidentStatus.HOSPITALISED),
    ("已住院", ResidentStatus.HOSPITALISED),
    ("迁出", ResidentStatus.MOVED_OUT),
    ("已迁出", ResidentStatus.MOVED_OUT),
    ("死亡", ResidentStatus.DECEASED),
)

# Words that say, anywhere in a person-category (人员类别) or remarks (备注) cell, that the
# person is away, moved, in hospital or dead: "外出务工人员", "已于2021年去世", "住院中".
# Not 流动人口 or 外地人: a floating person lives in the grid (the FLOATING tag), and not a
# bare 务工 / 打工, which is as often local work.
STATUS_PHRASES: tuple[tuple[str, str], ...] = (
    ("去世", ResidentStatus.DECEASED),
    ("死亡", ResidentStatus.DECEASED),
    ("已故", ResidentStatus.DECEASED),
    ("亡故", ResidentStatus.DECEASED),
    ("病故", ResidentStatus.DECEASED),
    ("过世", ResidentStatus.DECEASED),
    ("逝世", ResidentStatus.DECEASED),
    ("身故", ResidentStatus.DECEASED),
    ("迁出", ResidentStatus.MOVED_OUT),
    ("迁走", ResidentStatus.MOVED_OUT),
    ("搬离", ResidentStatus.MOVED_OUT),
    ("搬走", ResidentStatus.MOVED_OUT),
    ("住院", ResidentStatus.HOSPITALISED),
    ("外出", ResidentStatus.AWAY),
    ("在外", ResidentStatus.AWAY),
)
# When several absences are stated, the strongest fact wins: a person who went away to work
# and is now in hospital is in hospital; one who moved and then died is dead.
ABSENCE_RANK: dict[str, int] = {
    ResidentStatus.AWAY: 1,
    ResidentStatus.HOSPITALISED: 2,
    ResidentStatus.MOVED_OUT: 3,
    ResidentStatus.DECEASED: 4,
}
# 在家 says the person is at home; 正常, 在住, 常住 say the registration is in order, which a
# remark such as 外出务工 refines rather than contradicts. Dead or moved out contradicts both.
_AT_HOME = frozenset({"在家", "现在家", "在家中"})


def contradicts_present(present_word: str, absence: str) -> bool:
    """Whether a status column's word for "lives here" and an absence found elsewhere
    cannot both be true."""
    if absence in (ResidentStatus.DECEASED, ResidentStatus.MOVED_OUT):
        return True
    return _key(present_word) in _AT_HOME


# A clause about someone else (子女外出务工, 配偶已故), a negation (未外出, 无外出) or a
# return (外出已返回, 已出院) says nothing about this person's absence.
_OTHER_PERSON = re.compile(
    r"父|母|爸|妈|夫|妻|配偶|爱人|儿|女|子|孙|爷|奶|兄|弟|姐|妹|户主|家属|亲属"
)
_NEGATION = re.compile(r"(未|没|没有|无|不|非)$")
_RETURNED = re.compile(r"返回|返乡|已回|回来|回家|回村|出院")
_CLAUSE = re.compile(r"[,，;；。、/|\n]+")

ID_TYPE_WORDS: dict[str, str] = {
    "": "",
    "居民身份证": IdType.RESIDENT_CARD,
    "身份证": IdType.RESIDENT_CARD,
    "二代身份证": IdType.RESIDENT_CARD,
    "第二代居民身份证": IdType.RESIDENT_CARD,
    "港澳台居民居住证": IdType.RESIDENT_CARD,
    "idcard": IdType.RESIDENT_CARD,
    "residentidcard": IdType.RESIDENT_CARD,
    "港澳居民来往内地通行证": IdType.HK_MACAU_PERMIT,
    "港澳通行证": IdType.HK_MACAU_PERMIT,
    "港澳居民通行证": IdType.HK_MACAU_PERMIT,
    "回乡证": IdType.HK_MACAU_PERMIT,
    "台湾居民来往大陆通行证": IdType.TAIWAN_PERMIT,
    "台胞证": IdType.TAIWAN_PERMIT,
    "台湾通行证": IdType.TAIWAN_PERMIT,
    "护照": IdType.PASSPORT,
    "外国护照": IdType.PASSPORT,
    "中国护照": IdType.PASSPORT,
    "passport": IdType.PASSPORT,
    "无": IdType.NONE,
    "无证件": IdType.NONE,
    "暂无": IdType.NONE,
    "未办理": IdType.NONE,
    "新生儿": IdType.NONE,
    "none": IdType.NONE,
}
ID_TYPE_WORDS.update({str(value): str(value) for value in IdType})

# Words of a 人员类别 or 备注 cell that set a stored tag (matched anywhere in the text).
TAG_WORDS: tuple[tuple[str, Tag], ...] = (
    ("卧床", Tag.BEDRIDDEN),
    ("瘫痪", Tag.BEDRIDDEN),
    ("bedridden", Tag.BEDRIDDEN),
    ("行动不便", Tag.LIMITED_MOBILITY),
    ("失能", Tag.LIMITED_MOBILITY),
    ("limitedmobility", Tag.LIMITED_MOBILITY),
    ("流动人口", Tag.FLOATING),
    ("外来人口", Tag.FLOATING),
    ("暂住", Tag.FLOATING),
    ("floating", Tag.FLOATING),
    ("孕妇", Tag.PREGNANT),
    ("孕产妇", Tag.PREGNANT),
    ("怀孕", Tag.PREGNANT),
    ("pregnant", Tag.PREGNANT),
    ("残疾", Tag.DISABLED),
    ("disabled", Tag.DISABLED),
    ("治疗中", Tag.UNDER_TREATMENT),
    ("在治", Tag.UNDER_TREATMENT),
    ("透析", Tag.UNDER_TREATMENT),
    ("undertreatment", Tag.UNDER_TREATMENT),
)


# A register repeats a handful of words thousands of times: the lookups are cached.
@lru_cache(maxsize=1024)
def sex_code(text: str) -> str | None:
    return SEX_WORDS.get(_key(text))


@lru_cache(maxsize=1024)
def status_code(text: str) -> str | None:
    key = _key(text)
    code = STATUS_WORDS.get(key)
    if code is not None:
        return code
    for stem, status in _STATUS_STEMS:
        if key.startswith(stem):
            return status
    return None


@lru_cache(maxsize=4096)
def status_in_text(text: str) -> tuple[str, str] | None:
    """(status, the word that says it) when a category or remarks cell says this person is
    away, moved, in hospital or dead; None when it says nothing of the kind."""
    found: tuple[str, str] | None = None
    for clause in _CLAUSE.split(_key(text)):
        if _RETURNED.search(clause):
            continue
        for word, status in STATUS_PHRASES:
            at = clause.find(word)
            if at < 0 or _NEGATION.search(clause[:at]) or _OTHER_PERSON.search(clause[:at]):
                continue
            if found is None or ABSENCE_RANK[status] > ABSENCE_RANK[found[0]]:
                found = (status, word)
    return found


@lru_cache(maxsize=1024)
def id_type_code(text: str) -> str | None:
    """The ID type a sheet names; "" when the cell is blank, None when unknown."""
    return ID_TYPE_WORDS.get(_key(text))


def tags_from_text(*texts: str) -> int:
    """The stored tags that words in these cells name (卧床 → bedridden …)."""
    found = 0
    for text in texts:
        if text:
            found |= _tags_in(text)
    return found


@lru_cache(maxsize=4096)
def _tags_in(text: str) -> int:
    key = _key(text)
    found = 0
    for word, tag in TAG_WORDS:
        if word in key:
            found |= tag
    return found
