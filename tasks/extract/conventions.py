"""How news pages print the parts around an article's text, as patterns.

Shared by extraction (to find these parts) and normalisation (to split them into
fields): datelines opening a lead (``(CT)-``, ``TTO -``), role-labelled bylines
closing the body (``Tin, ảnh: ANH DŨNG``), photo credits, and widget labels.
"""

from __future__ import annotations

import re

from tasks.text import clean, is_upper_name

# "(CT)- ", "(Dân trí) - ", "(NLĐO)-", "TTO - ", "VOV.VN - " at the start of a lead.
DATELINE = re.compile(r"^\s*\((?P<paren>[^()]{1,30})\)\s*[-–—:]+\s*"
                      r"|^\s*(?P<bare>[A-ZĐ][A-Za-zĐđ.]{1,14})\s+[-–—]\s+")
# A role label in a byline: "Tin, ảnh:", "Bài và ảnh:", "Bài:", "Ảnh:".
BYLINE_ROLE = re.compile(r"(?:tin|bài|ảnh|video|clip|đồ họa|thực hiện|nhóm phóng viên)"
                         r"(?:\s*(?:,|và)\s*(?:ảnh|video|clip))*\s*:", re.IGNORECASE)
# The outlet a piece is taken from, closing a byline: "(Theo Medical News Today)", "Theo TTXVN", "Nguồn: VTV".
BYLINE_CREDIT = re.compile(r"(?:^|\(|\s[-–—]\s|\s)\s*(?:theo|nguồn|source|quelle|fuente)\s*:?\s+"
                           r"(?P<outlet>[^()]{2,60}?)\s*\)?\s*$", re.IGNORECASE)
# A writer credited at another outlet: "Theo Sầm Hoa (Vietnamnet/Reuters)", "Theo Minh Nguyễn/Vcamp.vn": the
# name is the author, the outlet after "/" or in brackets the source credit ("Theo Thanh Niên" alone is an outlet).
PERSON_AT_OUTLET = re.compile(r"^(?:theo|nguồn)\s*:?\s+(?P<person>[^()/:]{2,40}?)\s*"
                              r"(?:\((?P<paren>[^()]{2,60})\)|/\s*(?P<slash>[^()/]{2,60}))\s*$", re.IGNORECASE)
# A credit word opening an author value: the value names an outlet, or a writer at one.
CREDIT_WORD = re.compile(r"^(?:theo|nguồn)\s*:?\s+", re.IGNORECASE)
# A desk or a role credited instead of a person: "PV" (phóng viên, reporter), "Nhóm PV", "CTV" (contributor).
DESK = re.compile(r"(?:nhóm\s+)?(?:pv|ptv|ctv|phóng viên|cộng tác viên|biên tập viên|btv)", re.IGNORECASE)
# A CMS account that filed the piece, not a writer: "admin", "jdadmin", "webmaster", "Guest" / "Гость" / "Gast".
CMS_ACCOUNT = re.compile(r"\w*admin\w*|administrator|webmaster|root|guest|gast|гость|invité|invitado|khách",
                         re.IGNORECASE)
# Notes that say how a piece was made, not who made it: "(tổng hợp)", "(lược dịch)", "(TH)".
COMPILED_NOTE = re.compile(r"\(\s*(?:tổng hợp|lược dịch|biên dịch|dịch|th|st|sưu tầm|compiled)\s*\)", re.IGNORECASE)
# A leading "By", "Von", "Par", "Por", "Di", "Av" (English, German, French, Spanish, Italian, Nordic).
BYLINE_PREFIX = re.compile(r"^(?:by|von|par|por|di|door|av|af|od|tác giả)\s*:?\s+", re.IGNORECASE)
PHOTO_CREDIT = re.compile(r"^\s*\(?(?:ảnh|foto|fotos|photo|photos|bild|image|credit)\s*:", re.IGNORECASE)
# A caption that ends with its picture's copyright (``Das Pflegeheim in Debant © Gemeinde Debant``,
# ``© dpa-infocom, dpa:230428-99-483045/5``): a sentence of text does not end with a rights holder.
COPYRIGHT_TAIL = re.compile(r"©\s*[^.!?©]{1,60}$")
# Calls to action that templates print inside the text: sign-ups, follow buttons, reader surveys.
CALL_TO_ACTION = re.compile(
    r"^(?:sign up|subscribe|follow (?:us|[\w .'-]{1,40}? on)|download (?:the|our) app|you must confirm|"
    r"please (?:log ?in|logout)|get the latest|have a tip|tell us what you think|"
    r"hat ihnen dieser artikel gefallen|wie hat ihnen (?:dieser|der) artikel gefallen|unabhängiger journalismus|"
    r"jetzt (?:abonnieren|anmelden|kostenlos)|abonnieren sie|đăng ký nhận|mời (?:bạn|quý vị) đọc|"
    r"share this (?:on|via|with)\b|if you (?:enjoyed|liked) this (?:article|story)|分享(?:到|给|让更多人看到)|"
    r"(?:write to|email|e-mail) [\w .'-]{2,40}? at \S+@)",
    re.IGNORECASE,
)
# Widget labels that pages print as text of their own.
BOILERPLATE = frozenset({
    "chia sẻ bài viết", "chia sẻ", "chia sẻ:", "xem thêm", "tin liên quan", "bình luận", "in bài viết",
    "gửi bài viết", "lưu bài viết", "share", "share this article", "related articles", "read more",
    "advertisement", "quảng cáo",
    # a comment section's heading left alone at the end of the text
    "comments", "comment", "leave a comment", "post a comment", "add a comment", "kommentare", "commentaires",
    "comentarios", "comentários", "reacties", "kommentarer",
})
# Widget headings that open a box of other stories, in the languages of the papers we meet:
# a short line starting with one of them is furniture, not text.
RELATED_LABEL = re.compile(
    r"^(?:xem thêm|tin liên quan|đọc thêm|tin cùng chuyên mục|bài liên quan|read more|related|more on this|"
    r"see also|recommended|mehr zum thema|lesen sie auch|das könnte sie auch interessieren|weitere artikel|"
    r"à lire aussi|lire aussi|sur le même sujet|te puede interesar|lee también|leia também|lees ook|"
    r"les også|läs också|læs også|czytaj (?:też|także|więcej)|přečtěte si také)\b",
    re.IGNORECASE,
)
MAX_BYLINE_CHARS = 120
# A note that ends by giving the newsroom's e-mail address (a call for tips or for letters): how to reach
# the paper, not part of the story.
CONTACT_TAIL = re.compile(r"\S+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}[.)]?$", re.IGNORECASE)


def is_photo_credit(text: str) -> bool:
    """A picture's credit or a caption signed with one, set apart from the text (short: a caption is
    a line or two)."""
    return len(text) < 200 and bool(PHOTO_CREDIT.match(text)) or len(text) < 300 and bool(COPYRIGHT_TAIL.search(text))


def is_widget_label(text: str) -> bool:
    """A widget's own text (``Chia sẻ bài viết``), a related-stories heading (``Mehr zum Thema:``) or a
    call for tips or letters ending in the newsroom's address."""
    return (text.lower() in BOILERPLATE or (len(text) <= 60 and bool(RELATED_LABEL.match(text)))
            or (len(text) <= 200 and bool(CALL_TO_ACTION.match(text)))
            or (len(text) <= 300 and bool(CONTACT_TAIL.search(text))))


def credit_match(text: str) -> re.Match | None:
    """The "Theo X" / "(Theo X)" credit closing a byline; a sentence starting with "Theo" is not one."""
    match = BYLINE_CREDIT.search(text)
    if not match:
        return None
    outlet = match["outlet"].strip()
    if len(outlet.split()) > 6 or "," in outlet or outlet.endswith("."):
        return None
    return match


def looks_like_byline(text: str) -> bool:
    """A closing line that credits people or an outlet: role words (``Tin, ảnh:``), a short name in
    capitals, or a short name with a credit or note (``SONG NHI (Theo Medical News Today)``,
    ``Hà Thu (tổng hợp)``, ``Theo TTXVN``)."""
    if len(text) > MAX_BYLINE_CHARS:
        return False
    if BYLINE_ROLE.match(text):
        return True
    rest = COMPILED_NOTE.sub(" ", text)
    credited = rest != text
    match = credit_match(rest)
    if match:
        rest, credited = rest[: match.start()], True
    rest = rest.strip(" -–—")
    words = rest.split()
    if credited:
        return not words or (len(words) <= 5 and all(w[:1].isupper() for w in words)
                             and not rest.endswith((".", "?", "!", ":")))
    # a line in capitals with a number is a heading ("TIN 5 GIÂY"), not a name
    return 1 <= len(words) <= 8 and is_upper_name(text) and not text.endswith((".", "?", "!", ":")) \
        and not any(c.isdigit() for c in text) and sum(c.isalpha() for c in text) >= 2


def credits_someone(text: str) -> bool:
    """A byline that says it is one: a role label (``Tin, ảnh:``), an outlet credit (``(theo X)``) or a note
    on how the piece was made (``(tổng hợp)``), not only a name in capitals."""
    return bool(BYLINE_ROLE.match(text) or credit_match(text) or COMPILED_NOTE.search(text))


def starts_with_dateline(text: str) -> bool:
    return bool(DATELINE.match(text))


# Separators between names in author metadata: "A und B, C", "A; B", "A & B".
# A credit's label before its names: one word and a colon (``Autor:``, ``Text:``, ``Tekst:``, ``Redaktion:``,
# ``Fotos:``), or a "... by" of writing (``Written by``, ``Reporting by``, ``Words by``); a credit word's colon
# (``Nguồn: VTV``, ``Quelle: dpa``) names an outlet and stays for the credit reader.
CREDIT_LABEL = re.compile(r"^(?:(?!(?:theo|nguồn|source|quelle|fuente)\s*:)[^\W\d_]{2,14}\s*:|"
                          r"(?:written|reported|reporting|additional reporting|words|text|"
                          r"story|interview|compiled|geschrieben|écrit|escrito|scritto)\s+(?:by|von|par|por|da)\b:?)\s*",
                          re.IGNORECASE)
# Credits that name who edited or translated a piece, not who wrote it (Reuters' "Editing by ...").
EDITOR_CREDIT = re.compile(r"^(?:edit(?:ed|ing)|translat(?:ed|ion)|übersetzt|produced|graphics?)\s+by\b", re.IGNORECASE)
# Words of a role printed beside a name (``Staff Writer``, ``Redakteurin``, ``Correspondant``): a part made of
# these alone is a job title, not a second author.
ROLE_WORDS = frozenset({
    "staff", "writer", "writers", "reporter", "reporters", "correspondent", "correspondents", "editor",
    "editors", "senior", "chief", "contributing", "contributor", "columnist", "journalist", "journalists",
    "photographer", "photojournalist", "freelance", "special", "political", "business", "sports", "science",
    "health", "economics", "foreign", "deputy", "associate", "managing", "news", "desk", "intern",
    "editorial", "assistant", "redakteur", "redakteurin", "korrespondent", "korrespondentin", "journalistin",
    "autorin", "reporterin", "fotograf", "fotografin", "rédacteur", "rédactrice", "correspondant",
    "correspondante", "envoyé", "envoyée", "spécial", "spéciale", "journaliste", "redactor", "redactora",
    "corresponsal", "periodista", "redattore", "redattrice", "inviato", "inviata", "giornalista", "redacteur",
    "verslaggever", "correspondente",
})
# Where the author wrote from, after the name: "Jane Doe in London", "Anna Schmidt aus Berlin".
_FILED_FROM = re.compile(r"\s+(?:in|aus|from)\s+[^\W\d_][\w.'-]*(?:\s+[^\W\d_][\w.'-]*)?$")


def credited_name(part: str) -> str | None:
    """One name of a credit without its label, role or place (``Autor: Jan Kowalski`` -> ``Jan Kowalski``,
    ``Jane Doe in London`` -> ``Jane Doe``); None for a part that names a job title or an editor."""
    part = part.strip()
    if EDITOR_CREDIT.match(part):
        return None
    part = CREDIT_LABEL.sub("", part, count=1).strip()
    if len(part.split()) >= 3:
        part = _FILED_FROM.sub("", part)
    words = part.lower().split()
    if words and all(w.strip(".,") in ROLE_WORDS for w in words):
        return None
    return part or None


_META_NAME_SPLIT = re.compile(r"\s*[;,|]\s*|\s+(?:and|und|og|och|et|y|e|i|en|&)\s+", re.IGNORECASE)
_DESK_CODE = re.compile(r"\s*\([^()]{1,12}\)$")  # "Elena Oberholzer (obe)"


def split_author_values(values: tuple[str, ...] | list[str]) -> list[str]:
    """Names from author metadata, as written: one value may list several (``A und B, C``); a "By"
    prefix and a trailing desk code (``Elena Oberholzer (obe)``) are not part of a name."""
    names: list[str] = []
    for value in values:
        for name in _META_NAME_SPLIT.split(clean(value)):
            name = credited_name(_DESK_CODE.sub("", BYLINE_PREFIX.sub("", name.strip(" .,;"))).strip()) or ""
            if name and name not in names:
                names.append(name)
    return names
