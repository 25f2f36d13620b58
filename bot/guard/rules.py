"""Patterns behind the input guard: the unmistakable only, and the shapes that qualify it.

The learned reader (bot/guard/net.py, models/guard/) decides everything that has to be read. Rules stay for
what no reader may miss or explain away: a crisis said in so many words (killing oneself, ending one's life,
wanting to die, self-harm), a medical emergency named outright and happening now, and attempts to override
the assistant's rules or make it prescribe. The other patterns qualify those few (history that is over, a
screening question quoted, a question about what could happen) or shape a reply (the 988 line beside a
question about suicide, a pointer to the person's own clinician).

No clinic's treatment is named here: the patterns say "it", "the treatment", "my meds", so they hold for any
clinic's articles. Text is normalised first (bot/guard/text.py: shorthand, leetspeak, idioms).
"""

from __future__ import annotations

import re

I = re.I


def _any(*alternatives: str) -> re.Pattern:
    """One case-insensitive pattern matching any of the alternatives (written one per line below)."""
    return re.compile("|".join(alternatives), I)


# --- crisis said in so many words ----------------------------------------------------------------------
# a few words between a wish and dying ("want to just not wake up"), but no negation or topic in between
_FILL = r"(?:(?!not\b|don't\b|never\b|won't\b|the\b|it\b|this\b|pain\b|symptoms?\b)[\w']+ ){0,3}?"
_DEATH = r"(?:die|be dead|not (?:be )?(?:alive|exist|wake up)|not waking up|stop (?:existing|living)|never wake up|cease to exist)"
CRISIS = _any(
    # killing oneself, in so many words
    r"\bkill(ing|ed)? ?my ?self\b",
    r"\bkms\b",
    r"\bun-?aliv\w*",
    r"\b(take|taking|end|ending) my (own )?life\b",
    r"\bend(ing)? it all\b",
    r"\bhang(ing)? myself\b",
    r"\bcommit(ting)? suicide\b",
    r"\b(i'?m|i am|i feel|feeling|i've been|been) (so |really |very |pretty |kind of |a bit )?suicidal\b",
    r"\b(i'?m|i am|i've been|been|keep) (thinking|having thoughts) (about|of) (suicide|dying|ending (it|my life))\b",
    r"\b(plan|planning|planned) (out )?my (own )?(suicide|death)\b",
    # a wish, plan or decision to die
    rf"\b(want|wanted|wanting|wish|wishing|ready|plan|planning|decided|hoping|hope|pray|praying|rather) {_FILL}(to )?{_DEATH}\b",
    r"\b(i'm|i am|i'll|i will|going to|want to|ready to|plan to|about to|decided to) (just )?end(ing)? (it|it all|things|everything)\b"
    r"(?! with| early| there| here)",
    # not wanting to live, done with life
    r"\b(don't|do not|doesn't|no longer) (want|wish|plan on|intend) (\w+ ){0,2}?(to )?(live|be alive|exist|keep living|stay alive)\b"
    r"(?! (with|in|on|at|near|through)\b)",
    r"\b(don't|do not) want to (be here|wake up)(?= ?(anymore|any longer|tomorrow|$|[.!,]))",
    r"\b(done|finished|tired|sick) (with|of) (living|life|being alive|existing)\b",
    r"\bno reason to live\b",
    r"\bbetter off (dead|without me)\b",
    r"\brather be dead\b",
    r"\bwish i (was|were|had) (dead|never been born)\b",
    # a death made ready for: the note, and who will find the body
    r"\b(suicide|goodbye) (note|letter)s?\b",
    r"\bfind my body\b",
    r"\b(the one|the person|whoever|when (they|someone|somebody|my \w+|you|he|she)) (who |that )?finds? me\b(?! (a|an|some|the)\b)",
    # asking how much it would take to die
    r"\bhow (much|many)\b[^.?!]{0,40}\b(take|need|swallow)\b[^.?!]{0,25}\b(to )?(die|be dead|(not|never) wake up|kill (me|myself))\b",
    # self-harm going on now, in the first person
    r"\b(been|keep|kept|started|still|can't stop|want to|urges? to|going to) (cut|cutting|burn|burning|hurt|hurting|harm|harming) (my ?self|myself)\b",
    r"\b(cut|cutting|burn|burning|slic\w*|carv\w*) my (wrists?|arms?|forearms?|thighs?|legs?|skin)\b(?! (off|out|back|down))",
    r"\b(i'?ve been|i am|i'm|i keep|started) self[- ]?harm\w*",
)

# Lethality asked about together with a wish for it ("... would it kill me? i kind of want it to").
LETHAL = _any(r"\b(lethal|fatal|deadly|kill(s|ed)? (me|you|someone|a person)|die|overdos\w*|never wake|to death)\b")
INTENT = _any(
    r"\b(that'?s what i want",
    r"i (kind of |kinda |sort of |really |actually )?want (it|that) to",
    r"i'?m hoping(?! not)",
    r"hoping (it|that) (does|will|would)",
    r"that'?s the (goal|plan|point)",
    r"so i (can|could|would|don't|won't|never) (die|wake|be dead))\b",
)

# --- what qualifies a crisis pattern, and the flags for a reply ----------------------------------------
SUICIDE_TOPIC = _any(r"\bsuicid\w*", r"\bself[- ]?harm\w*")
# self-harm or suicide named in any tense: what a history of it ("i used to cut myself as a teen") speaks of
HARM_NAMED = _any(
    r"\bsuicid\w*",
    r"\bself[- ]?harm\w*",
    r"\b(cut|cutting|burn|burning|hurt|hurting|harm|harming) (my ?self|myself)\b",
    r"\b(attempt|attempted|tried) (to (kill|end)|suicide)",
)
# someone else who may harm themselves: the reply carries the 988 line, but the sender is not in crisis
OTHERS_HARM = _any(
    r"\b(hurt|hurting|harm|harming|kill|killed|killing|cut|cutting) (themselves|himself|herself|themself)\b",
    r"\b(end|ending|take|taking) (their|his|her) (own )?life\b",
)
# A question about suicidality or another person's, not a disclosure: research, screening, a loss.
EDUCATION = _any(
    r"\b(studies|study|research|evidence|trials?|screen\w*|risk|rates?|prevention|what is|what are|warning signs",
    r"people (who|with)|patients?( with| who)?|(someone|a person) who|used for|approved for|presentation|class",
    r"essay|report|homework|thesis|lecture|article|journal|caregiver|how (does|do|is|fast|quickly|well))\b",
)
DISCLOSURE = _any(
    r"\bmy (own |recent |current |constant |latest |last )?(suicidal|suicide attempt|self[- ]?harm|urges to)",
    r"\bmy (\w+ )?thoughts (of|about) (suicide|killing|dying|ending)",
    r"\b(i|i'm|i am|i've)\b(?:(?!\b(?:that|it|this|they|studies|research)\b)[^.?!]){0,40}\b(suicidal|attempted suicide"
    r"|(considering|thinking about|thought about|thoughts of) suicide|kill myself|self[- ]?harm\w*|hurt myself)",
)
# A screening question quoted, not said: "is the question about being better off dead on your intake form?"
MENTION = _any(
    r"\b(phq-?\d*|questionnaires?|screening (question|form|tool)s?|intake (form|paperwork|questions?)|the question about)\b"
)
THIRD_PARTY = _any(
    r"\b((committed|died by|died of|lost (him|her|them|my \w+) to) suicide",
    r"(he|she|they|my \w+) (has |had )?(attempted|tried) suicide",
    r"(his|her|their) suicide",
    r"took (his|her|their) (own )?life)\b",
)
# history that is over ("back in 2009", "years ago", "stable now"), unless something says it is back
PAST_DISCLOSURE = _any(
    r"\b(years? ago|months ago|decades? ago|(a|my|the) past (suicide )?attempts?|used to|in the past|history of|when i was",
    r"back in ((19|20)\d\d|the day|college|school|high school|my (teens|twenties|youth))|in (19|20)\d\d",
    r"as a (kid|teen|teenager|child)|stable now|no longer|(fully )?healed|old scars?",
    r"(\d+|many|several) (yrs|years) (ago|clean|free)|(been|doing|stayed) (well|fine|good|stable|in a good place) (for|since))\b",
)
_BACK = r"again|tonight|lately|these days|recently|this week|anymore|last night|yesterday|this morning|every time"
NOW = _any(
    r"(?<!stable )(?<!fine )(?<!better )(?<!years )(?<!months )(?<!weeks )(?<!place )"
    rf"\b(now|today|currently|an hour ago|earlier|(i|i'm|i am|i've) still|still (feel|think|want|have (the )?(thoughts|urges)|cut|hurt)|{_BACK})\b"
)
# a crisis that is back, said anywhere in the message (stricter than NOW: "the depression i'm dealing with now")
RECENT = _any(rf"\b({_BACK}|any more|right now)\b")

# --- emergency named outright -------------------------------------------------------------------------
_PERSON = (
    r"(?:he|she|they|he's|she's|they're|him|her|them|my (?:husband|wife|partner|son|daughter|mom|mum|mother|dad|father|"
    r"friend|brother|sister|kid|child|baby|boyfriend|girlfriend|roommate|grandma|grandpa))"
)
EMERGENCY = _any(
    r"\bchest (pain|pressure|tightness|hurts?)\b",
    r"\b(crushing|squeezing|heavy) (pain|pressure|weight)\b[^.?!]{0,20}\bchest\b",
    r"\b(can'?t|cannot|can not|struggling to|unable to) (breathe|breath|get (air|a breath))\b",
    r"\b(not|stopped|isn'?t|barely) breathing\b",
    r"\bgasping\b",
    r"\bturning (blue|purple|gr[ae]y)\b",
    r"\blips (are |look |going )?(blue|purple)\b",
    r"\b(oxygen|o2|sats?|saturation|spo2|pulse ?ox\w*)\b[^.?!]{0,30}\b([1-8]\d ?%|dropping|falling|really low|very low)",
    rf"\b{_PERSON}\b[^.?!]{{0,40}}\b(won'?t|doesn'?t|does not|isn'?t|is not|not|can'?t|cannot|stopped) (respond\w*|wake\w*|conscious)",
    r"\bunresponsive\b",
    r"\bunconscious\b",
    r"\bpassed out\b",
    r"\bblack(ed|ing) out\b",
    r"\bcollapsed\b",
    r"\bseiz(ure|ing|ed)\b",
    r"\bconvuls\w*",
    r"\bcan'?t stop (vomiting|throwing up|puking)\b",
    r"\bface (is |has )?(droop\w*|dropped|fallen|sagg\w*)",
    r"\bslurr\w*",
    r"\bworst headache\b",
    r"\b(throat|tongue|lips|face) (is |are )?(closing|swelling|swollen)\b",
    r"\b(vomit\w*|throwing up|coughing up) blood\b",
    r"\bbleeding (heavily|a lot|badly)\b",
    r"\bcan'?t stop (the )?bleeding\b",
    r"\b(having|going into|think (i'm|i am|he's|she's|he is|she is) having)\b[^.?!]{0,15}\b(heart attack|stroke|seizure|anaphyla\w*)\b",
    r"\b(doesn'?t|does not|can'?t) (know|remember|recogni[sz]e) (what (year|day) it is|where (he|she|they|i) (is|are|am)|who (he|she|they|i) (is|are|am))\b",
    r"\bi (feel like|think) i'?m dying\b",
    r"\b(call|need) (911|an ambulance)\b",
)
# Emergencies are about now: not last week's session, a lifelong condition, or a question about what could happen.
PAST_OR_CHRONIC = _any(
    r"\b(last (time|week|month|year|session|visit|treatment|dose)|yesterday|ago|previous|(?<!already )(?<!out )once|earlier|used to",
    r"history of|as a (kid|child|teen)|normally|usually|generally|always|tend to|chronic",
    r"(seizure|heart|bleeding|breathing|blood pressure) (disorder|condition|problems?|issues?|history)|i have (epilepsy|asthma))\b",
)
HYPOTHETICAL = _any(
    r"\b(is (that|this|it) (normal|common|expected|a problem)|will i|could i|what if|what (should|do) i do if",
    r"is (it|this|the treatment|treatment) (dangerous|safe|ok|okay|risky)|if (someone|a patient|i|you|he|she) (has|have|had|gets?|starts?)",
    r"(can|could|does|do|will|would|might) (\w+ ){1,3}(ever |possibly |sometimes )?(cause|trigger|lead to|give|bring on|set off|induce)",
    r"watch (for|out for)|look out for|warning signs|would mean|when (should|do|would) (we|i) call)\b",
)
RIGHT_NOW = _any(
    r"\b(right now|now|currently|at the moment|what do (i|we) do|please help|(is|are|am|i'm|she's|he's) having)\b",
    r"\b(\d+|a|an|one|two|few|a few|couple( of)?|ten|twenty|half an?) (min|mins|minutes|hour|hours) ago\b",
    r"\b(getting|is getting|it's getting) worse\b",
    r"^help\b",
    r"!!",
    r"\bhelp[!.]*$",
)

# --- refused: overriding the assistant, or asking it to prescribe or approve care ---------------------
REFUSED = _any(
    r"\b(ignore|disregard|forget|bypass|override)\b[^.?!]{0,25}\b(instructions|rules|prompt|guidelines|restrictions|filters|programming)\b",
    r"\b(system|hidden) (prompt|message)\b",
    r"\byour (system|hidden|initial|original|secret) (prompt|instructions|rules)\b",
    r"\bnew (instructions|directives?)\s*:",
    r"</?\s*(context|system|instructions?)\s*>",
    r"\[system\]",
    r"\bdeveloper mode\b",
    r"\bjailbreak\w*",
    r"\bdan mode\b",
    r"\bdo anything now\b",
    r"\b(with|have|has|without) (any |no )?(restrictions|rules|filters)\b",
    r"\b(repeat|print|reveal|output|dump|leak)\b[^.?!]{0,20}\b(your (instructions|rules|prompt|configuration)|the (prompt|text above))\b",
    r"\b(prescribe|prescription for) me\b",
    r"\b(write|give|send) me (a|an)? ?(script|prescription|rx)\b",
    r"\bcan you prescribe\b",
    r"\b(can|could|will|would) you (approve|authori[sz]e|sign off on|clear)\b",
    r"\b(pretend|act|roleplay|role-play|role play|speak|talk|answer|reply|respond) (to me )?(as|like|to be|you'?re) (my |a |an |the )?"
    r"(doctor|psychiatrist|nurse|pharmacist|clinician|physician|prescriber|dealer)\b",
)

# --- reply shaping ----------------------------------------------------------------------------------------
# "is it worth it", "need it gone": an "it" inside an idiom points at nothing earlier
FOLLOW_UP = _any(
    r"\b(that|(?<!worth )it(?! (gone|out|off)\b)|this|those|these|they|them|there|then)\b",
    r"^(and|also|what about|how about|so)\b",
)
# A question about one's own care (own medicines, conditions, suitability), not any first-person wording:
# "i take lithium, is it safe for me?" yes; "where can i park my car?" no.
_OWN = r"(i|i'm|im|i am|i've|ive|my|me)"
_CARE = (
    r"(meds?|medications?|medicines?|pills|prescriptions?|dose|diagnos\w*|condition|blood pressure|heart|pregnan\w*|"
    r"breastfeed\w*|history|symptoms?|health|treatment|therapy|doctor|age|allerg\w*|surgery|illness|disorder)"
)
PERSONAL = _any(
    r"\b(right|safe|ok|okay|good|suitable|work|a good (idea|fit)) for me\b",
    r"\b(should|can|could|will|would|may) i (take|get|have|try|start|stop|use|do|qualify|be)\b[^.?!]{0,40}"
    r"\b(treatment|therapy|it|this)\b",
    rf"\b{_OWN}\b[^.?!]{{0,30}}\b{_CARE}\b",
    rf"\b{_CARE}\b[^.?!]{{0,20}}\b{_OWN}\b",
)
NON_TEXT = re.compile(r"[\w]", re.U)
