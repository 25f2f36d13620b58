"""How the guard reads a message before any pattern or model sees it: texting shorthand, leetspeak and
misspellings spelled out, everyday idioms ("this wait is killing me") rewritten plainly, and the message's
shape (sentences, windows of a long message, input that is no text at all)."""

from __future__ import annotations

import re
import unicodedata

from bot.core.text import STOPWORDS, fold

I = re.I

# --- normalising ------------------------------------------------------------------------------
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
_LEET_INSIDE = re.compile(r"(?<=[a-z])[013457@$!]+(?=[a-z])")
_REPEATS = re.compile(r"([a-z])\1{2,}")
# "want 2 doses" is a count: a plural noun or unit after the 2 (whatever the clinic's doses are called)
_NOT_A_VERB = r"(?! ?(mg|ml|more|of|or|and|dose|day|hour|week|time|\w+[^s\W]s)\b)"
_SLANG = [
    (re.compile(p), r)
    for p, r in (
        # texting shorthand
        (r"\bwanna\b", "want to"),
        (r"\bgonna\b", "going to"),
        (r"\bgotta\b", "got to"),
        (r"\btryna\b", "trying to"),
        (r"\bkinda\b", "kind of"),
        (r"\bu\b", "you"),
        (r"\bur\b", "your"),
        (r"\br\b", "are"),
        (r"\bb\b", "be"),
        (r"\bw/", "with "),
        (r"\bw\b", "with"),
        (r"\bn\b", "and"),
        (r"\b(want|going|have|need|ready|how|trying|able|wish) 2\b" + _NOT_A_VERB, r"\1 to"),
        (r"\b(wan2|want2|wana|wnt)\b", "want to"),
        (r"\bwnat\b", "want"),
        (r"\bima\b", "i'm going to"),
        (r"\b2(nite|night)\b", "tonight"),
        (r"\b(to)?nite\b", r"\1night"),
        (r"\b2day\b", "today"),
        (r"\b2mo?r+o?w?\b", "tomorrow"),
        (r"\b4ever\b", "forever"),
        (r"\bb4\b", "before"),
        (r"\brn\b", "right now"),
        (r"\ba?bout\b", "about"),
        (r"\babt\b", "about"),
        (r"\b(cuz|cos|bc)\b", "because"),
        (r"\bidk\b", "i don't know"),
        (r"\brly\b", "really"),
        (r"\bppl\b", "people"),
        (r"\bpl[sz]\b", "please"),
        (r"\bno more(?=\s*([.!?,]|$))", "anymore"),
        (r"\btbh\b|\bngl\b|\bfr\b|\blol\b|\blmao\b", ""),
        # missing apostrophes and dropped letters
        (r"\bdont\b", "don't"),
        (r"\bcant\b", "can't"),
        (r"\bwont\b", "won't"),
        (r"\bdoesnt\b", "doesn't"),
        (r"\bisnt\b", "isn't"),
        (r"\bdidnt\b", "didn't"),
        (r"\bim\b(?! (shots?|injections?|route|version|dose|doses|treatment|option))(?!\))", "i'm"),
        (r"\bive\b", "i've"),
        (r"\bshes\b", "she's"),
        (r"\bhes\b", "he's"),
        (r"\bmnay\b", "many"),
        (r"\bwud\b", "would"),
        (r"\bjst\b", "just"),
        (r"\bpils\b", "pills"),
        (r"\btmrw\b", "tomorrow"),
        (r"\bthats\b", "that's"),
        (r"\bwhats\b", "what's"),
        (r"\bthinkin\b", "thinking"),
        (r"\bendin\b", "ending"),
        (r"\bfeelin\b", "feeling"),
        (r"\bded\b", "dead"),
        (r"\blyfe\b", "life"),
        (r"\bthots?\b", "thoughts"),
        (r"\bkil\b", "kill"),
        (r"\bkilin\b", "killing"),
        (r"\b(myslef|mysefl|mysef|mself|miself|myselv|my self)\b", "myself"),
        # self-harm and suicide in slang and misspellings
        (r"(?<![\w./-])sh('|-)?ing\b", "self harming"),
        (r"(?<![\w./-])sh(?![\w.'/-])", "self harm"),
        (r"\bsewer ?slide\b", "suicide"),
        (r"\bsu[i1]c[i1]d", "suicid"),
        (r"\bs[ui]{1,2}[cs][iy]?d(e|es)\b", "suicide"),
        (r"\bs[ui]{1,2}[cs][iy]?d(al|ial|le|el|ally)\b", "suicidal"),
    )
]


def normalise(text: str) -> str:
    """Lower case, typographic quotes folded, leetspeak and texting shorthand spelled out."""
    text = fold(text).lower()
    text = _LEET_INSIDE.sub(lambda m: "".join(_LEET[c] for c in m.group()), text)
    text = _REPEATS.sub(r"\1", text)
    for pattern, repl in _SLANG:
        text = pattern.sub(repl, text)
    return re.sub(r"\s+", " ", text).strip()


# --- idioms: rewritten plainly before any rule or the classifier looks at the text -------------
_IDIOMS = [
    (re.compile(p, I), r)
    for p, r in (
        (r"\b(kill|killing|killed) (some |the )?time\b", "pass the time"),
        # the program stays named ("stop a python process"): "stop the program" alone could be a treatment program
        (
            r"\b(kill|killing|killed|murder) ((a |the |all |this |that |my )?(\w+ ){0,2}?(process|processes|job|task|program|thread|pid|container|app))\b",
            r"stop \2",
        ),
        (r"\bkill -9\b", "stop the program"),
        (
            r"\b(kill|killing|killed) (the |all the |some |my )?(weeds?|bugs?|germs?|mold|ants|pests|fleas|roaches|dandelions)\b",
            r"get rid of \3",
        ),
        (
            r"\b(is|was|are|were|'s|'re|has been|have been|had been|been|keeps?) (literally |really |just |totally |kind of |absolutely )?killing (me|us|it)\b",
            r"\1 bothering \3",
        ),
        (r"\bkilling it\b", "doing great"),
        (r"\bkiller (question|price|deal|app)\b", r"great \1"),
        (r"\bi'?d kill for\b", "i would love"),
        (r"\bdying (to|for) (know|try|see|find|hear|get|learn|start|go|ask)\b", r"eager \1 \2"),
        (
            r"\b(bored|scared|worried|tired|stressed|overthink\w*|overthought|frightened|annoyed|sick|loved?|freaked)( \w+)? to death\b",
            r"\1\2 a lot",
        ),
        (
            r"\bover ?dos(e|ed|ing) on (coffee|caffeine|sugar|chocolate|netflix|tv|candy|espresso|energy drinks?)\b",
            r"had too much \2",
        ),
        (
            r"\b(we'?re|we are|i'?m|i am|im) (literally |just |all )?dying (over )?(here|over there)\b",
            r"\1 struggling here",
        ),
        (r"\b(back|return|returning|come back|came back) (in)?to the land of the living\b", r"\1 to normal"),
        (r"\b(like|as) (a )?zombies?\b", r"\1 very dazed"),
        (r"\bto die for\b", "wonderful"),
        (r"\b(be|been|is|was|will be) the death of (me|us)\b", r"\1 a lot of work"),
        (r"\bmy heart (about|almost|nearly|practically) stopped\b", "i was shocked"),
        (r"\b(die|dying|died) of boredom\b", "be so bored"),
        (r"\b(die|dying|died) of (embarrassment|shame)\b", "be so embarrassed"),
        (r"\b(die|dying|died) of (laughter|laughing)\b", "laugh a lot"),
        (r"\b(die|dying|died) of curiosity\b", "be so curious"),
        # hyperbole about the treatment room, not a wish: "sounds like being buried alive lol"
        (
            r"\b(sounds|sound|feels|feel|felt|seems|looks) like (being )?(buried alive|held hostage|a hostage|in (prison|jail)|torture|a prisoner)\b",
            r"\1 unpleasant",
        ),
        (
            r"\b(boss|mom|mum|dad|wife|husband|partner|teacher|coach|manager|sister|brother|mother|father|girlfriend|boyfriend|he|she|they)"
            r"('s| is| are|'re|'ll| will)? (going to |gonna )?(literally )?(kill|murder|strangle) me (if|when|for)\b",
            r"\1 will be angry with me \6",
        ),
        (r"\b(just )?shoot me( now)?(?=[,.!])", "ugh"),
        # "i'd rather die than get a needle" is a dislike; "rather die than go on like this" stays as written
        (
            r"\b(i'?d|i would) (much |honestly |literally )?rather die than (?!(keep|go on|live|living|continue|carry on|feel|wake|be like|spend|stay)\b)",
            "i would really hate to ",
        ),
        (r"\b(nearly |almost )?died laughing\b", "laughed a lot"),
        (r"\bshoot for\b", "aim for"),
        (r"\b(shoot|shooting|shot) (some )?(hoops|photos?|pictures?|a video|videos?)\b", r"take \2\3"),
        (r"\b(shoot|shot) (you |over )(a |some )?(questions?|messages?|texts?|emails?|lines?)\b", r"send \3\4"),
        (r"\bshoot:", "ask:"),
        (r"\bcut (down|back|out)\b", r"reduce"),
        (r"\b(is|are|isn'?t|aren'?t|arent|not) cutting it\b", "not enough"),
        (r"\bcut costs?\b", "save money"),
        (r"\bdead ?line\b", "due date"),
        (r"\bdead set on\b", "really keen on"),
        (r"\bdead (serious|wrong|center|last)\b", r"very \1"),
        (r"\bdrop[- ]dead (gorgeous|beautiful)\b", r"very \1"),
        (r"\bdead ?tired\b", "very tired"),
        (r"\bdead (battery|end)\b", r"flat \1"),
    )
]


def plain_idioms(text: str) -> str:
    """Rewrite everyday idioms so "this wait is killing me" never reads as danger."""
    for pattern, repl in _IDIOMS:
        text = pattern.sub(repl, text)
    return text


# --- the shape of a message: sentences, windows, and input that is not text -------------------------
def sentences(plain: str) -> list[str]:
    """The sentences of a message (a crisis may sit in one sentence of a longer question), a question tacked on
    after a comma ("i keep the pills counted out, is the spray faster?") counted as its own."""
    return [
        s.strip()
        for s in re.split(
            r"[.?!;\n]+|,\s*(?:but|and then|so)\b|,\s*(?=(?:is|are|do|does|can|could|will|would"
            r"|should|how|what|when|where|why|which)\b)",
            plain,
        )
        if len(s.strip()) > 8
    ]


def stretches(plain: str, size: int) -> list[str]:
    """Overlapping runs of `size` words, half a run apart, covering a message typed without stops ("whats the
    limit on dialysis days not that it matters ive been thinking about ..."); one run for a short message."""
    words = plain.split()
    if len(words) <= size:
        return [plain] if words else []
    step = max(1, size // 2)
    return [" ".join(words[i : i + size]) for i in range(0, len(words) - size + step, step)]


def statements(plain: str) -> list[str]:
    """The message cut after each full stop, question mark, exclamation or semicolon, each piece keeping its
    mark (a question stays recognisable) and "1.5 mg" staying whole."""
    return [s for s in re.split(r"(?<=[.!?;])\s+|\n", plain) if s.strip()]


def windows(statements: list[str], size: int) -> list[str]:
    """Whole sentences gathered into windows of about `size` characters (the reader misreads text cut
    mid-sentence), each window overlapping the next by one sentence."""
    windows, current = [], []
    for statement in statements:
        if current and len(" ".join(current + [statement])) > size:
            windows.append(" ".join(current))
            current = current[-1:]
        current.append(statement)
    return windows + [" ".join(current)] if current else windows


ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


# Cyrillic and Greek letters drawn like Latin ones (Unicode's confusables for those scripts): a message typed in
# them reads as English to a person and as another script to the rules and the reader.
_LOOKALIKE = str.maketrans(
    "аеорсухіјѕһԁԛԝɡАВЕКМНОРСТХУІЈЅαονριυκΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijshdqwgABEKMHOPCTXYIJSaovpiukABEZHIKMNOPTYX",
)
# every Cyrillic and Greek letter: one left after the look-alikes are spelled in Latin makes the word real Cyrillic
_OTHER_SCRIPT = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюяαβγδεζηθικλμνξοπρστυφχψω".upper()) | set(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяαβγδεζηθικλμνξοπρστυφχψωіјѕһԁԛԝɡ"
)
_WORD = re.compile(r"\w+")
# Right-to-left override (and isolate) up to its pop or the line's end: shown reversed, stored forwards
_REVERSED = re.compile("[\u202e\u2067]([^\u202c\u2069\n]*)[\u202c\u2069]?")


def printable(message: str) -> str:
    """The message as a person sees it: text a right-to-left override shows reversed put back in reading order,
    words drawn in look-alike Cyrillic or Greek letters spelled in Latin ones, and no terminal escape sequences
    ("\\x1b[31m") or other control characters."""
    message = _REVERSED.sub(lambda m: m.group(1)[::-1], message)
    message = _WORD.sub(_unconfused, message)
    return "".join(ch for ch in ANSI.sub("", message) if unicodedata.category(ch)[0] != "C" or ch in "\n\t ")


def _unconfused(m: re.Match) -> str:
    """A word whose every letter is Latin or drawn like a Latin one, in Latin; a word of real Cyrillic or Greek
    (a letter with no Latin look-alike in it) is left as it is."""
    word = m.group()
    latin = word.translate(_LOOKALIKE)
    if latin == word or any(ch in _OTHER_SCRIPT for ch in latin):
        return word
    return latin


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{3,}", text.lower()))


def gibberish(text: str, known: set[str]) -> bool:
    """Keyboard mash: several letter runs, none of them a word clinicbot has ever seen."""
    words = re.findall(r"[a-zA-Z]{3,}", text)
    if len(words) < 2:
        return False
    return not any(w.lower() in known or w.lower() in STOPWORDS for w in words)


def mash(text: str) -> bool:
    """Letters that cannot be words, as typed (before repeats are folded): "jjjjjjjj", "xkcdq"."""
    words = re.findall(r"[a-zA-Z]{3,}", text)
    return bool(words) and all(_unpronounceable(w.lower()) for w in words)


def _unpronounceable(word: str) -> bool:
    """No vowel in four or more letters, or one letter held down four times."""
    return (len(word) >= 4 and not re.search(r"[aeiouy]", word)) or bool(re.search(r"(.)\1{3}", word))
