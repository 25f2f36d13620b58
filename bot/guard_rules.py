"""Patterns behind the input guard. Idioms are removed first so ordinary speech never trips it."""
from __future__ import annotations

import re

I = re.I

# "this headache is killing me", "kill time", "kill a process", "dying to know", "overdosed on coffee"
IDIOMS = re.compile(
    r"\b(kill(ing)?|killed) (some |the )?(time|a (python |linux )?(process|job|task|program|thread)|the (process|job|task)|weeds?|bugs?|germs?)\b"
    r"|\b(is|was|are|were|'s|'re) (literally |really |just |totally )?killing (me|us|it)\b|\bkilling (it|time)\b"
    r"|\bdying (to|for) (know|try|see|find|hear|get|learn|start|go)\b|\b(bored|scared|worried|tired) to death\b"
    r"|\bover ?dos(e|ed|ing) on (coffee|caffeine|sugar|chocolate|netflix|tv|candy|espresso|energy drinks?)\b"
    r"|\bto die for\b|\b(shoot|shot) (for|some|a|the|me|an|photos?|hoops)\b|\bcut (down|back|out)\b"
    r"|\b(dead ?line|dead ?tired|dead battery)\b|\bkill (-9|pid|process)\b", I)

CRISIS = re.compile(
    r"\bsu+i+c+i+d\w*|\bsuicid\w*|\bsucid\w*|\bsuicd\w*|\bsuiside\w*|\bsewer ?slide\b|\bun-?alive\b|\bkms\b|\bkys\b"
    r"|\bkill(ing)? (my ?self|myself|me)\b|\bend(ing)? (it all|my life|it tonight|everything|things|my own life)\b"
    r"|\b(take|taking|took) my (own )?life\b|\b(want|wanna|wanted|going|gonna|ready|plan|planning) (to )?(die|be dead|disappear forever)\b"
    r"|\b(don'?t|do not|dont) want to (live|be alive|be here|exist|wake up|go on)\b|\bno (reason|point|will) (to|in) (live|living|go on|going on|keep going)\b"
    r"|\bbetter off (dead|without me|if i (was|were) (gone|dead))\b|\b(world|everyone|they|family) (would be|is|are|'?d be) better (off )?without me\b"
    r"|\bself[- ]?harm\w*|\b(cut|cutting|burn|burning|hurt|hurting|harm|harming) (my ?self|myself|my (arms?|wrists?|legs?|skin))\b"
    r"|\b(never|not) wake up\b|\bsleep forever\b|\b(can'?t|cannot|cant) (do|take|go on with) (this|it) any ?more\b|\bcan'?t go on\b"
    r"|\bgoodbye (letter|note|message)s?\b|\bsaying (my )?goodbyes?\b|\b(giving|gave) (away )?(all )?my (stuff|things|belongings) away\b"
    r"|\b(overdose|od) on purpose\b|\btake (all|every one of) (my|the) (pills|meds|medication|ketamine)\b|\bwish i (was|were) (dead|never born)\b"
    r"|\bnot (be|being) around (much longer|anymore)\b|\bwon'?t be (around|here) (much longer|next week|anymore|tomorrow)\b"
    r"|\b(jump|jumping) (off|from) (a|the) (bridge|building|roof)\b|\b(hang|hanging) myself\b|\bend my suffering\b", I)

# Questions *about* suicidality (research, screening) are education, unless the person discloses their own.
SUICIDE_TOPIC = re.compile(r"\bsuicid\w*|\bself[- ]?harm\w*", I)
EDUCATION = re.compile(r"\b(studies|study|research|evidence|trials?|screen\w*|risk|rates?|prevention|what is|what are|"
                       r"does ketamine|can ketamine|is ketamine|do (they|you)|people who|patients? (with|who))\b", I)
DISCLOSURE = re.compile(r"\b(i|i'm|im|i am|i've|ive|me|my)\b.{0,40}\b(suicid\w*|kill myself|die|self[- ]?harm\w*|hurt myself)", I)
PAST_DISCLOSURE = re.compile(r"\b(years? ago|used to|in the past|history of|had (a )?(suicide )?attempt|back in|when i was|stable now)\b", I)

EMERGENCY = re.compile(
    r"\bchest (pain|pressure|tightness|hurts?)\b|\b(crushing|sharp) (pain|pressure) in (my|his|her) chest\b"
    r"|\b(can'?t|cannot|cant|can not|struggling to|hard to|trouble|difficulty) breath\w*|\b(not|stopped|isn'?t|is not) breathing\b"
    r"|\bunresponsive\b|\b(won'?t|will not|wont|can'?t) wake (him|her|them|up)\b|\bpassed out\b|\bfainted\b|\bunconscious\b"
    r"|\bseiz(ure|ing)\b|\bconvuls\w*|\bturning blue\b|\blips (are |look )?(blue|purple)\b|\bface (is )?droop\w*|\bslurred speech\b"
    r"|\bthroat (is )?(closing|swelling|swollen)\b|\bcan'?t (feel|move) (my|his|her) (arm|leg|face|side)\b|\bvomiting blood\b"
    r"|\b(took|taken|had) (way )?too much\b.{0,40}\b(now|feel|can'?t|dying|sick)\b|\bheart (is )?(racing|pounding)\b.{0,40}\b(now|right now|dizzy|faint|can'?t)\b"
    r"|\bcall (911|an ambulance)\b|\b(severe(ly)?|very) confus\w*\b.{0,40}\b(after|since)\b", I)
PAST_EVENT = re.compile(r"\b(last (time|week|month|session|infusion|treatment)|yesterday|ago|previous|earlier|before|is (that|this|it) normal|"
                        r"went up|used to|during my last|after my last|will i|could i|can it cause|does it cause|what if)\b", I)

REFUSED = re.compile(
    r"\bget(ting)? (really |super )?(high|wasted|fucked up|messed up|lit)\b|\bk[- ]?hol(e|ing)\b.{0,30}\b(how|best|get|into|want|fun|reach)\b"
    r"|\b(how|best way|want) .{0,20}\bk[- ]?hole\b|\b(at|to|for|before|during) (a |the |my )?(rave|party|club|festival)\b|\b(partying|clubbing)\b|\bketamine\b.{0,40}\b(for fun|recreationally)\b"
    r"|\b(buy|purchase|order|score|cop)\b.{0,30}\b(ketamine|ket|spravato|k)\b|\bwithout (a )?(prescription|script|doctor)\b|\bdealer\b|\bdark ?web\b"
    r"|\bhow (much|many) (mg|milligrams?|ml|sprays?|lozenges?|ketamine)\b.{0,40}\b(should|can|do|to) (i|we)\b|\bwhat dose should i\b"
    r"|\b(inject|snort|dose) (it |ketamine )?(myself|at home|on my own)\b|\bdouble (my|the) dose\b|\b(make|get) (my|the) (spray|dose|lozenges?) stronger\b"
    r"|\bhow (do|can|would) i (inject|snort|dose|administer)\b|\b(prescribe|prescription for) me\b|\bwrite me (a|an) (script|prescription|rx)\b"
    r"|\brefill (my|a)\b|\bcan you (prescribe|give me|send me)\b|\b(pretend|act|roleplay|role-play|role play)\b.{0,20}\b(you('re| are)|as|to be) (a |my )?(doctor|psychiatrist|nurse|pharmacist|clinician|physician|dr)\b"
    r"|\bignore (all |any |your |the )?(previous|prior|above|earlier|your) (instructions|rules|prompt)\b|\b(system|hidden|initial) prompt\b"
    r"|\bdeveloper mode\b|\bjailbreak\w*|\bdan mode\b|\byou are now (dan|unfiltered|unrestricted)\b|\bno (restrictions|rules|filters) (now|anymore)\b"
    r"|\b(repeat|print|show|reveal) (me )?(the |your )?(text|words|instructions|rules|prompt) (above|before|you were given)\b", I)

PERSONAL = re.compile(r"\b(i|i'm|im|i am|i've|ive|my|me|for me|should i|can i|will i)\b", I)
NON_TEXT = re.compile(r"[\w]", re.U)
