"""Patterns behind the input guard: shapes of language, not particular sentences.

Text is normalised first (bot/guard_text.py: typos of the texting kind, leetspeak, contractions, and
idioms such as "this wait is killing me" rewritten), and only then are the patterns applied. Rules catch the
unmistakable; bot/guard.py adds a classifier over sentence embeddings for the rest.
"""
from __future__ import annotations

import re

I = re.I

def _any(*alternatives: str) -> re.Pattern:
    """One case-insensitive pattern matching any of the alternatives (written one per line below)."""
    return re.compile("|".join(alternatives), I)


# --- crisis ------------------------------------------------------------------------------------------
_FILL = r"(?:(?!not\b|don't\b|never\b|won't\b|the\b|it\b|this\b|pain\b|symptoms?\b)[\w']+ ){0,3}?"
_DEATH = (r"(?:die|d1e|overdose|od|be dead|was dead|were dead|not (?:be )?(?:alive|exist|wake up)|not waking up|stop (?:existing|living)"
          r"|never wake up|cease to exist)")
_BODY = r"(arms?|forearms?|wrists?|thighs?|legs?|ankles?|calf|calves|shoulders?|hands?|skin|stomach|belly|chest|hips?|body)"
_NOT_SELF_HARM = r"(back|down|out|off|costs?|carbs|calories|sugar|hair|my hair|class|classes|corners|coupons|wood|the|it)"
CRISIS = _any(
    # killing oneself, in so many words
    r"\bkill(ing|ed)? ?my ?self\b", r"\bkms\b", r"\bkys\b", r"\bun-?aliv\w*", r"\btak(e|ing) my (own )?life\b",
    r"\bend(ing)? my (own )?life\b", r"\bend(ing)? it all\b", r"\bhang(ing)? myself\b", r"\bpull(ing)? the trigger\b",
    # a wish, plan or decision + dying
    rf"\b(want|wanted|wanting|wish|wishing|need|ready|plan|planning|decided|hoping|hope|pray|praying|rather|tempted) {_FILL}(to )?{_DEATH}\b",
    r"\b(i'm|i am|i'll|i will|going to|want to|ready to|plan to|about to|decided to|thinking (about|of)) (just )?end(ing)? "
    r"(it|it all|things|everything)\b(?! with| early| there| here)",
    r"\b(hop\w*|wish\w*|pray\w*|want\w*)\b[^.?!]{0,20}\b(won'?t|don'?t|never|not) wake up\b", r"\bgo to sleep and never\b",
    rf"\b(i|i'd|i'll|me|i'm)\s{_FILL}(just |could |would |want to |to )?(disappear|vanish|sleep|drift off|go to sleep|fall asleep|stop existing|tap\w* out"
    r"|bow\w* out|clock\w* out)\w*"
    r"\s(for good|forever|permanently)\b",
    r"\bcheck(ing)? out (for good|permanently|early|of life)\b",
    # seeking the means: how much it would take to die or not wake up, a lethal amount
    r"\bhow (much|many)\b[^.?!]{0,40}\b(take|need|use|swallow|have)\b[^.?!]{0,25}\b(to )?(die|be dead|(not|never|don'?t|do not|won'?t|wouldn'?t) wake|stop breathing"
    r"|kill (me|myself)|overdose|od)\b",
    r"\b(lethal|fatal|deadly) (dose|amount|quantity)\b", r"\b(dose|amount) (that|which|to) (would )?(kill|be fatal|be lethal)\b",
    # not wanting to live, no point, done with life
    r"\b(don't|do not|doesn't|no longer|not) (want|wish|care|feel like|plan on|plann?ing on|intend) (\w+ ){0,2}?(to )?"
    r"(live|be alive|exist|go on|keep going|keep living|stay alive|survive|being alive|sticking around)\b",
    r"\b(don't|do not) want to (be here|wake up)(?= ?(anymore|any longer|tomorrow|$|[.!,]))", r"\blive or die\b",
    r"\b(done|finished|tired|sick|exhausted) (with|of) (living|life|being alive|existing)\b", r"\bi'?m (so )?done with (life|everything)\b",
    r"\b(stop|cease) existing\b", r"\bnot exist\b", r"\bno (way out|escape|exit|reason to live|future for me)\b",
    r"\b(point|reason) (of|in|to) (living|life|being alive|going on|keep going|staying alive)\b",
    r"\b(don'?t|do not|can'?t|cannot) see (the|any) point\b[^.?!]{0,40}\b(anymore|any more|any longer)\b",
    r"\brather be dead\b", r"\bwish i (was|were|had) (dead|never been born)\b", r"\bwish i (was|were) never born\b", r"\bwish i didn'?t exist\b",
    r"\bcan'?t (do|take|go on with) (this|it|life) any ?more\b", r"\bcan'?t go on\b", r"\bcan'?t keep (going|living|doing this)\b",
    r"\b(won'?t|will not|not going to) be (around|here|alive) (much longer|next (week|month)|anymore|by then|by the time|tomorrow|for long"
    r"|for my \w+ birthday|to see (my|the) \w+|(by|for|at|past|until|till) (january|february|march|april|may|june|july|august|september|october|november|december|christmas|spring|summer|autumn|fall|winter|the new year|new year'?s|thanksgiving|easter|next (year|month))( anyway)?)\b",
    r"\bby the time\b[^.?!]{0,50}\b(i )?(won'?t|will not|am not going to|'m not going to) be (around|here|alive)\b",
    # a burden: better off without me
    r"\bbetter off (dead|without me)\b",
    r"\b(happier|better|relieved|easier|lighter|fine|faster|sooner|quicker)\b[^.?!]{0,25}\b(without me\b|if i (was|were|am|'m)? ?(gone|dead|not here|not around)\b"
    r"|if i (died|disappeared|vanished)|if i (was|were|am|'m) (\w+ )?(out of the picture|not in the picture))",
    r"\b(no ?one|nobody|no-one)\b[^.?!]{0,30}\b(notice|care|miss)\w*\b[^.?!]{0,20}\bif i\b[^.?!]{0,15}\b(disappear\w*|gone|died|dead|vanish\w*)",
    # preparations and means
    r"\b(giving|gave|give|given) (away )?(all )?(of )?my (things|stuff|belongings|possessions)( away)?\b",
    # two of one's own things handed over in one go ("gave my guitar and my dog to my buddy")
    r"\b(gave|giving|given) (away )?my \w+( \w+)? and my \w+( \w+)? (away )?to\b", r"\b(suicide|goodbye|farewell) (note|letter)s?\b",
    r"\b(gun|handgun|firearm|pistol|rifle|revolver|shotgun|rope|noose|knife|blade|razor)\b[^.?!]{0,60}\bmyself\b",
    r"\b(check\w*|see|seeing|test\w*|wonder\w*|pretty sure)\b[^.?!]{0,20}\b(it'?s|it is|it was|the \w+ is) (high|tall|far down|deep) enough\b",
    r"\b(don'?t|do not) think i'?ll (be around|be here|make it|last) (long enough|much longer|to)\b",
    r"\b(i'?ll|i will|i'?m going to) be (gone|dead|long gone) (before|by|soon|for good)\b",
    r"\b(tell|let) (my \w+|him|her|them)\b[^.?!]{0,40}\b(none of this|it) (was|is)(n'?t| not)? (his|her|their|your) fault\b",
    r"\bcancel\w* (all )?(of )?my (upcoming |future |remaining |other )?(appointments|sessions|infusions|treatments)\b[^.?!]{0,40}"
    r"\b(won'?t|will not|don'?t) (be )?need\w*\b(?![^.?!]{0,40}\b(because|since|moving|moved|insurance|switch\w*|another clinic|closer))",
    r"\b(picked|chosen|set|decided on) (a|the) (date|day|time|night)\b[^.?!]{0,20}\b(to )?(end (it|things|everything|my life)|die|do it)\b",
    r"\b(jump|jumping|step|stepping|throw myself)\b[^.?!]{0,15}\b(off|from|in front of)\b[^.?!]{0,30}"
    r"\b(bridge|building|roof|train|balcony|cliff|overpass|ledge|bus|truck|garage|car park|parking (structure|deck|lot)|tower|window|top floor)\b",
    r"\b(driv\w+|crash\w*|swerv\w+|steer\w*)\b[^.?!]{0,40}\bon purpose\b", r"\bon purpose\b[^.?!]{0,20}\b(crash\w*|swerv\w+|off the road)",
    r"\b(stockpil\w*|hoard\w*)\b[^.?!]{0,30}\b(pills|meds|medications?|tablets|lozenges|troches)\b", r"\b(stockpil\w*|hoard\w*) (up )?(my|his|her|all|the) \w+",
    r"\b(look\w* up|googl\w*|research\w*|search\w*|work\w* out|figur\w* out)\b[^.?!]{0,10}\bhow (many|much)\b[^.?!]{0,30}"
    r"\b(it would take|would it take|it'?d take|would kill|is lethal|is fatal)\b",
    r"\b(wrote|written|writing|left) (letters|a letter|notes) (to|for) (each of |both |all )?(my|the) (kids|children|family|wife|husband|parents|son|daughter|grandkids)\b",
    r"\b(say|tell|send) (goodbye|bye|my goodbyes) to\b[^.?!]{0,30}\b(for|from) me\b",
    r"\b(this is|this'?ll be|it'?s) (probably |likely )?my (very )?last (message|text|words|post)\b(?! (before|until|till|for now|about|on|of the day))",
    r"\b(saving|saved|squirrel\w*|stash\w*|collect\w*|put(ting)? aside|set(ting)? aside|hid|hiding|hidden) (up |away )?(\w+'?s? ){0,3}(leftover |old |spare )?"
    r"(pills|meds|medications?|tablets|painkillers|opioids|oxy\w*|sleeping pills|percocet|vicodin)\b",
    r"\b(enough|sufficient) to (not|never) wake\b",
    # means laid out and waiting
    r"\b(pills|tablets|meds|capsules)\b[^.?!]{0,15}\b(counted out|lined (out|up)|laid out|set out)\b",
    r"\b(counted out|lined (out|up)|laid out|set out) (all )?(the|my|all)( \w+)? (pills|tablets|meds|capsules)\b", r"\b(counting|counted) (them|the pills|my pills|the tablets)\b[^.?!]{0,40}\b(enough|plenty)\b",
    r"\b(gun|pistol|rifle|revolver|shotgun|\.\d\d)\b[^.?!]{0,100}\b(sit|sitting|sat|stare|staring|hold|holding|look|looking) (with|at) it\b",
    r"\b(the|my|a) method (worked out|figured out|picked|chosen|planned|ready)\b|\b(worked|figured) out (the|my|a) method\b",
    r"\b(bleed|bleeding) out\b[^.?!]{0,30}\b(wrists?|arms?|veins?|neck)\b|\bwrists?\b[^.?!]{0,30}\bbleed(ing)? out\b",
    r"\b(wish\w*|hop\w*|pray\w*|want\w*)\b[^.?!]{0,40}\b(never|not) (come|coming|wake|waking) (back )?up\b",
    r"\b(my )?last (message|text|words|post) (to|for) (anyone|anybody|everyone|you all|the world)\b",
    r"\b(picked|chosen|found|scouted) (out )?(the|a|my) (bridge|building|ledge|cliff|rope|tree)\b",
    r"\b(wrote|written|writing|left) (a|my|the) note\b(?! (to|for|about|on|in|from|at|of))",
    r"\b(thinking (about|of)|want(ing)? to|going to|gonna|plann?(ing)? to|tempted to|tonight i'?m|i'?m|i'?d|i'?ll)\b[^.?!]{0,15}\b(swallow\w*|tak\w*|down\w*)\b"
    r"[^.?!]{0,10}\b(every (single )?one|all of (them|it)|(the|my) (whole|entire) (bottle|pack|box|lot)|the lot|them all)\b",
    r"\b(and|so (that )?i)( just)? (not|never|won'?t be|don'?t) wak(e|ing) (back )?up\b",
    # going to join someone who has died
    r"\b(passed|died|dead|lost|late|grave|heaven|killed)\b[^?]{0,120}\b(ready|want|wanting|going|time|decided|mind|plan\w*|wait\w*|long\w*)"
    r" to (go )?(and )?join (him|her|them)\b",
    r"\b(not|never) (come|coming|make it) back from\b",
    # affairs put in order, a death made to look like something else
    r"\b(will is (signed|done|written|sorted|ready)|(wrote|made|updated|signed|finished) my will|(getting|got|put|putting) my affairs in order)\b",
    r"\bcounting down the days\b(?! (until|till|til|to|before) (my|the|our|i|we|it|christmas|vacation))", r"\bnothing left (on (the|my) list|to do)\b",
    r"\b(look|seem|appear) like an accident\b",
    r"\b(wrote|written|writing|typed|planned|figured|worked) (out )?how (i'?d|i would|i'?ll|i will|i could|i'?m going to|to) do it\b",
    r"\b(only|other|last|backup|back-up) plan\b[^.?!]{0,50}\b(gun|pistol|rifle|revolver|pills|rope|bridge|jump\w*)\b",
    r"\b(don'?t|do not) want (anyone|anybody|them|people|you) (to )?(bring|bringing|save|saving|revive|reviving|resuscitate\w*) me\b",
    r"\bafter i do (it|what i'?ve been planning|what i plan\w*)\b", r"\b(be )?the one (who|that) finds me\b",
    r"\b(when|after|once|before) (they|someone|somebody|my \w+|people|you|he|she) finds? me\b", r"\b(people|person|ones?|whoever) (who|that) finds? me\b",
    r"\b(after|once|when) i'?m (gone|dead|no longer here|not here)\b(?! (on|for|to|from|away))",
    r"\b(after|once|when) i am (gone|dead|no longer here)\b(?! (on|for|to|from|away))",
    r"\b(my affairs are|arrange my affairs|arranging my affairs|affairs (are )?(arranged|settled|sorted))\b",
    # a death that pays: life insurance for the family
    r"\b(life insurance|insurance (money|payout|policy))\b[^.?!]{0,60}\b(pays?|cover\w*|take care of|look after)\b",
    r"\b(family|kids|wife|husband|children|they) (will|would|'ll) be (fine|ok|okay|better off|taken care of) after\b(?! (my|the|your|his|her) (treatment|infusion|session|surgery|appointment))",
    r"\b(dis+ap+oint\w*|sad|upset|angry|mad|annoyed|sorry|gutted) (that )?i (woke|wake|keep waking|still wake) up\b",
    r"\bwish i (hadn'?t|didn'?t|wouldn'?t|would not|never) (woken|woke|wake|waken) up\b",
    r"\b(won'?t|don'?t|wouldn'?t) (have|need) to deal with (anything|everything|it|my stuff) (after|afterwards|when i'?m gone)\b",
    r"\bby the time (you|they|anyone|someone|u|people) (read|reads|see|sees|get|gets|open|opens) (this|these|them|it)\b",
    r"\bslip (under|away)\b[^.?!]{0,25}\b(not|never)\b", r"\b(quiet|easy|painless|peaceful|quick|simple|clean) way (to go|out|to die|to end it)\b",
    r"\bstop (taking )?my (\w+ )?(meds|medications?|medicine|insulin|pills)\b[^.?!]{0,30}\blet (it|nature|death) (happen|take)",
    r"\b(just )?go(ing)? through with (my|the) plan\b",
    r"\b(plan|option|answer|choice)\b[^.?!]{0,25}\bnot (be|being|to be) (alive|around|here)\b",
    # the sudden calm once everything is settled
    r"\b(calm|at peace|peaceful|relieved|lighter)\b[^.?!]{0,30}\bnow that (it'?s|everything'?s|everything is|it is|all is) (all )?"
    r"(sorted|settled|done|arranged|taken care of|in place|ready)\b",
    r"\b(won'?t be needing (any more|anymore|any) (appointments|sessions|treatments?|infusions?|refills?)"
    r"|won'?t be needing (my|the|this|next)\b[^.?!]{0,30}\b(appointments?|sessions?|treatments?|infusions?)\b[^.?!]{0,15}\b(or any|ever again|any ?more|after (it|that|this)))\b"
    r"(?![^.?!]{0,40}\b(because|since|moving|moved|insurance|switch\w*|another clinic|closer))",
    r"\b(plan\w*|figur\w*|work\w* out|research\w*|look\w* up|decid\w*|think\w* about) how (to|i('ll| will| would| could| should)) "
    r"end (it|things|everything|my life)\b",
    r"\b(took|taken|swallowed|downed)\b[^.?!]{0,40}\b(pills|meds|tablets|bottle|more than|too many|too much|all of|whole)\b"
    r"[^.?!]{0,40}\b(on purpose|deliberately|intentionally)\b",
    r"\b(bought|got|saved|saving|collect\w*)\b[^.?!]{0,25}\b(pills|meds|medications?|tablets)\b[^.?!]{0,25}\b(overdose|od|die|end it|end my life)\b",
    # self-harm
    r"\b(cut|cutting|burn|burning|hurt|hurting|harm|harming|punch\w*|scratch\w*|starv\w*|slic\w*|stab\w*|bang\w*|hit|hitting) (my ?self|myself)\b",
    rf"\b(cut|cutting|burn|burning|slic\w*|stab\w*|scratch\w*|carv\w*) my {_BODY}\b",
    rf"\b(fresh |new |deep )?cuts? (on|in) my {_BODY}\b", r"\b(fresh|new|deep) cuts\b",
    r"\b(urges?|want|need|itch|going) to (cut|burn|hurt)\b(?! (back|down|out|off|costs?|ties|my hair|the|carbs|calories|sugar|caffeine|in))",
    r"\b(until|till|til) (it|they|i|the skin) bleeds?\b", r"\brelaps\w*\b[^.?!]{0,30}\b(cut|cutting|self harm\w*)\b",
    r"\bcutting (again|lately|every (day|night)|more|deeper)\b", rf"\b(started|been|keep|kept|still|stop|quit) cutting\b(?! {_NOT_SELF_HARM}\b)",
)

# Lethality asked about together with a wish for it ("... would it kill me? i kind of want it to").
LETHAL = _any(r"\b(lethal|fatal|deadly|kill(s|ed)? (me|you|someone|a person|them|people)|die|overdos\w*|od|stop (my|your|their) breathing"
              r"|never wake|to death|permanently|for good|before it kills)\b")
INTENT = _any(r"\b(that'?s what i want", r"i (kind of |kinda |sort of |really |actually )?want (it|that) to", r"i'?m hoping(?! not)",
              r"hoping to find out", r"hoping (it|that) (does|will|would)", r"(asking )?for myself", r"asking for me", r"asking because",
              r"that'?s the (goal|plan|point)", r"so i (can|could|would|don't|won't|never) (die|wake|be dead|go)", r"i (don't|do not) want to be here)\b")

# Fear of harm, not a wish for it: "the side effects won't kill me, right?", "can you die from an infusion?"
_SUBJECT = r"(it|this|that|ketamine|spravato|the [\w-]+( [\w-]+)?)"
WORRY = _any(
    rf"\b(will|would|could|can|won'?t|might|does|do) {_SUBJECT} (kill|hurt|harm) (me|you|someone|people)\b",
    rf"\b({_SUBJECT}|they) (won'?t|will not|wouldn'?t|can'?t|could|might|will) (kill|hurt|harm) (me|you|someone|people)\b",
    r"\b(can|could|do) (you|i|people|patients|someone) die (from|of|during)\b",
    r"\b(scared|afraid|worried|terrified|nervous) (of|about|that)\b[^.?!]{0,30}\b(dying|die|death)\b",
)

# Questions *about* suicidality (research, screening) are education, unless the person discloses their own.
SUICIDE_TOPIC = _any(r"\bsuicid\w*", r"\bself[- ]?harm\w*")
# "i'm not in any danger", "no thoughts of hurting myself": the sender says they are safe, so the classifier's
# reading of distress alone does not make a crisis (a crisis rule still does)
SAFE_SAID = _any(r"\b(i'?m|i am) not (suicidal|in (any )?danger|going to (hurt|harm|kill) myself|going to do anything)\b",
                 r"\bno (thoughts|plans|intention) (of|about|to) (suicide|self[- ]?harm|hurting myself|harming myself|ending)\b",
                 r"\b(i'?m|i am) (safe|not at risk)\b")
# someone else who may harm themselves: the reply carries the 988 line, but the sender is not in crisis
OTHERS_HARM = _any(r"\b(hurt|hurting|harm|harming|kill|killing|cut|cutting) (themselves|himself|herself|themself)\b",
                   r"\b(end|ending|take|taking) (their|his|her) (own )?life\b")
EDUCATION = _any(
    r"\b(studies|study|research|evidence|trials?|screen\w*|risk|rates?|prevention|what is|what are|what's",
    r"(does|do|can|could|will|would|is) (ketamine|it|this|spravato|esketamine|the treatment|treatment|infusions?|the infusions?) "
    r"(help|work|reduce|treat|lower|prevent|cause|make|worsen|increase|trigger|affect|approved|used|safe)",
    r"approved for|used for|do (they|you)|people (who|with)|patients?( with| who)?|help with|how (fast|quickly|well)|side effects?",
    r"presentation|class|project|paper|essay|report|homework|assignment|course|given to|offered to|prescribed to|anti-?suicid\w*",
    r"seminar|lecture|thesis|dissertation|rcts?|outcomes?|measured|scales?|warnings?|black box|(raise|raises|increase|increases) (the )?(risk|suicid\w*)",
    r"mechanism|journal|reading (about|up)|literature|caregiver|what to watch for|warning signs|(effects?|impact|benefits?) (on|for) suicid\w*",
    r"(ketamine|it|this|spravato|esketamine) (is|are) (sometimes |often |ever |now |also |being )?(used|given|offered|prescribed|tried)|"
    r"(someone|somebody|a person|people|patients) (who )?(is|are) suicidal|"
    r"(ketamine|it|this|spravato|esketamine|the treatment|treatment|infusions?) (can |could |may |might |does |will )?"
    r"(makes?|causes?|worsens?|triggers?|increases?|reduces?|helps?|lowers?|treats?|prevents?|eases?) "
    r"(\w+ )?(suicid\w*|self[- ]?harm)",
    r"why (is|does|do|are)|how (does|do|is)|considered|depression with)\b",
)
DISCLOSURE = _any(r"\bmy (own |recent |current |constant |latest |last )?(suicidal|suicide attempt|self[- ]?harm|urges to)",
                  r"\bmy (\w+ )?thoughts (of|about) (suicide|killing|dying|ending)",
                  # "i read that ketamine can lower suicidal thinking" reports what others say, not the self
                  r"\b(i|i'm|i am|i've|me)\b(?:(?!\b(?:that|ketamine|it|this|they|spravato|esketamine|studies|research)\b)[^.?!]){0,40}\b(suicidal|suicide attempt|attempted suicide|(commit|committing|considering|thinking about|thought about|thoughts of) suicide"
                  r"|kill myself|die|self[- ]?harm\w*|hurt myself)")
# A screening question quoted, not said: "is the phq-9 question about being better off dead on your intake form?"
MENTION = _any(r"\b(phq-?\d*|questionnaires?|screening (question|form|tool)s?|intake (form|paperwork|questions?)|the question about|a question about)\b")
THIRD_PARTY = _any(r"\b((committed|completed|died by|died of|lost (him|her|them|my \w+) to) suicide",
                   r"(he|she|they|my (husband|wife|partner|son|daughter|mom|mother|dad|father|friend|brother|sister|kid|child)) "
                   r"(has |had )?(attempted|tried) suicide",
                   r"(his|her|their) suicide", r"took (his|her|their) (own )?life)\b")
PAST_DISCLOSURE = _any(r"\b(years? ago|months ago|decades? ago|(a|my|the) past (suicide )?attempts?|used to|in the past|history of|had (a )?(suicide )?attempt|when i was",
                       # "back in 2010", "back in college"; not "plugging it back in"
                       r"back in ((19|20)\d\d|the day|college|school|high school|uni|university|my (teens|twenties|youth|\w+ years)|the \d0s)",
                       r"as a (kid|teen|teenager|child)|stable now|no longer|in (high school|college|my teens)|(fully )?healed|old scars?",
                       r"haven'?t (done it|cut|self[- ]?harmed|hurt myself) (in|for)|(\d+|many|several) (yrs|years) (ago|clean|free)",
                       r"in (19|20)\d\d|(been|doing|stayed|kept) (well|fine|good|okay|ok|stable|in a good place) (for|since))\b")
# words that say a crisis is back, shared by NOW and RECENT so the two lists cannot drift apart
_BACK = (r"again|tonight|lately|these days|recently|this week|anymore|last night|yesterday|this morning"
         r"|reopen\w*|(new|fresh) (ones|cuts|marks|wounds|scars)|every time")
NOW = _any(r"(?<!stable )(?<!fine )(?<!better )(?<!okay )(?<!can i )(?<!could i )(?<!they )(?<!you )(?<!will i )(?<!do i )"
           r"(?<!years )(?<!months )(?<!weeks )(?<!decade )(?<!decades )(?<!time )(?<!while )(?<!ages )(?<![0-9] )(?<!place )"
           r"\b(now|today|currently|an hour ago|earlier|(?<!can )(?<!could )(?<!would )(?<!will )(?<!do )(?<!should )(i|i'm|i am|i've) still"
           r"|still (feel|think|want|have (the )?(thoughts|urges)|get|struggl\w*|cut|hurt)"
           rf"|{_BACK})\b")
# a crisis that is back, said anywhere in the message (stricter than NOW: "the depression i'm dealing with now")
RECENT = _any(rf"\b({_BACK}|any more|right now)\b")

# --- emergency -----------------------------------------------------------------------------------------
_PERSON = (r"(?:he|she|they|he's|she's|they're|him|her|them|my (?:husband|wife|partner|son|daughter|mom|mother|dad|father|"
           r"friend|brother|sister|kid|child|baby|boyfriend|girlfriend|roommate|grandma|grandpa))")
EMERGENCY = _any(
    # chest and heart
    r"\bchest (pain|pressure|tightness|hurts?|is (squeezing|crushing|tight))\b", r"\b(crushing|sharp|squeezing) (pain|pressure) in (my|his|her) chest\b",
    r"\bclutching (his|her|my) chest\b", r"\bheart (is )?(racing|pounding)\b[^.?!]{0,40}\b(now|right now|dizzy|faint|can'?t|pass out|dying|chest|spinning|black(ed|ing) out|drenched)\b",
    # breathing
    r"\b(can'?t|cannot|can not|struggling to|hard to|trouble|difficulty|unable to) (breath\w*|get (air|a breath))",
    r"\b(not|stopped|isn'?t|is not|barely) breathing\b", r"\bbreathing (is |really |very |so )?(slow\w*|shallow|weird|strange|funny|irregular|stopped)\b",
    r"\bgasping\b", r"\bshort of breath\b",
    # unresponsive, collapse, seizures
    rf"\b{_PERSON}\b[^.?!]{{0,40}}\b(won'?t|doesn'?t|does not|isn'?t|is not|not|can'?t|cannot|stopped) (respond\w*|react\w*|wake\w*|moving|conscious|making sense)",
    r"\bunresponsive\b", r"\b(won'?t|will not|can'?t) wake (him|her|them|up)\b", r"\bpassed out\b", r"\bblack(ed|ing) out\b", r"\bfaint(ed|ing)\b", r"\bunconscious\b",
    r"\bcollapsed\b", r"\bout cold\b", r"\bseiz(ure|ing|ed)\b", r"\bconvuls\w*", r"\bhaving a fit\b",
    r"\b(shaking|jerking|twitching|thrashing) all over\b", r"\beyes (rolled|rolling|have rolled) back\b", r"\bfoaming\b[^.?!]{0,15}\bmouth\b",
    r"\b(crushing|heavy|squeezing|tight) (weight|feeling|band|pressure)\b[^.?!]{0,25}\bchest\b",
    r"\b(pain|pressure|weight|tightness)\b[^.?!]{0,30}\b(going|spreading|radiating|moving) (into|to|down|up) (my|his|her) (jaw|left arm|arm|neck)\b",
    r"\bseeing things\b[^.?!]{0,20}\b(crawling|moving|that aren'?t there|on the walls)\b",
    r"\b(don'?t|doesn'?t|didn'?t) know (what street|where) (i'?m|i am|he'?s|he is|she'?s|she is|we are)\b",
    r"\b(couldn'?t|can'?t|cannot) remember how (the|a|my) (phone|door|stairs)\b",
    r"\b(tongue|throat|lips|face|mouth)\b[^.?!]{0,20}\b(swell\w*|swollen|huge|closing|tight\w*|puff\w*)",
    r"\b(hives|welts)\b[^.?!]{0,50}\b(breath\w*|talk\w*|swallow\w*|throat|tongue|lips)\b",
    r"\btalking (nonsense|gibberish)\b", r"\b(fell|fallen|slipped)\b[^.?!]{0,50}\b(can'?t|cannot|unable to) (get up|move|stand)\b", r"\b(oxygen|o2|sats?|saturation|spo2)\b[^.?!]{0,30}\b([1-8]\d ?%|dropping|falling|really low|very low)", r"\basking what (year|day) it is\b",
    r"\b(doesn'?t|does not|can'?t|cannot) (know|remember|recognize|tell) (where (he|she|they|i) (is|are|am)|who (he|she|they|i) (is|are|am)|what (year|day) it is)\b",
    r"\b(severely|extremely|really|very|so) confused\b[^.?!]{0,40}\b(now|right now|getting worse|after (his|her|my|the) (dose|treatment|infusion|spray))",
    r"\bturning (blue|purple|gr[ae]y)\b", r"\blips (are |look |going )?(blue|purple)\b", r"\bgurgl\w*", r"\bfoaming at the mouth\b",
    # stroke, confusion
    r"\bface (is |has )?(droop\w*|dropped|fallen|sagg\w*)", r"\bdrooping\b", r"\bslurr\w*", r"\btalking (nonsense|gibberish)\b", r"\bnot making sense\b",
    r"\b(saying|speaking|using) (strange|weird|garbled|jumbled|odd|wrong) words\b",
    r"\bheart (is )?(going|beating) (so |really |very |super )?(fast|hard|crazy)\b", r"\b(heart rate|pulse|hr|watch says|monitor says) (is |at |of |says )?(1[6-9]\d|2\d\d)\b",
    r"\b(everything|vision|eyes|it'?s) (is )?(going|went|turning) (dark|black|grey|gray)\b", r"\btunnel vision\b", r"\bwords (came|come|are coming|keep coming) out (wrong|jumbled|garbled|slurred)\b",
    r"\b(face|mouth|eye)\b[^.?!]{0,15}\bdroopy\b", r"\b(arm|leg|side of (my|his|her) (face|body))\b[^.?!]{0,20}\b(gone|went|going) (completely )?numb\b",
    r"\b(doesn'?t|does not|didn'?t|don'?t) (know (who|where)|recogni[sz]e)\b",
    r"\b(he|she|they|he'?s|she'?s|they'?re|is|are) not (answering|responding|reacting)\b", r"\b(hit|banged|cracked) (his|her|their) head\b",
    r"\b(can'?t|cannot|can not|unable to) (feel|move|lift|raise) (my|his|her) (right |left )?(arm|leg|legs|face|side|hand)\b",
    r"\b(vision|sight) (is )?(going|went|turning|goes|gone) (dark|black)\b", r"\bworst headache\b",
    # allergy, bleeding, blood pressure
    r"\b(throat|tongue|lips|face) (is |are )?(closing|swelling|swollen)\b", r"\b(vomit\w*|throwing up|coughing up) blood\b",
    r"\bcan'?t stop (vomiting|throwing up|bleeding|shaking)\b", r"\bbleeding (heavily|a lot|badly)\b", r"\b(1[89]\d|2\d\d) ?(/|over) ?(1[0-4]\d)\b",
    r"\b(having|going into|think (i'm|i am|he's|she's|he is|she is) having)\b[^.?!]{0,15}\b(heart attack|stroke|seizure|anaphyla\w*|allergic reaction)\b",
    # too much taken
    r"\b(took|taken|had|took my dose) (way )?(too much|twice|a double dose)\b[^.?!]{0,60}\b(now|vomit\w*|dark|can'?t|dying|faint|won'?t|breath\w*)\b",
    r"\b(ate|swallowed|got into) (some of |one of )?my (lozenges|troches|pills|medication|ketamine|spray)\b",
    r"\bi (feel like|think) i'?m dying\b", r"\bcall (911|an ambulance)\b", r"\bneed (911|an ambulance)\b",
)
# Emergencies are about now: not last week's session, a lifelong condition, or a question about what could happen.
PAST_OR_CHRONIC = _any(
    r"\b(last (time|week|month|year|session|infusion|treatment|dose)|yesterday|ago|previous|(?<!already )(?<!out )once|earlier|used to",
    r"history of|as a (kid|child|teen)|normally|usually|generally|always|tend to|chronic",
    r"(seizure|heart|bleeding|breathing|blood pressure) (disorder|condition|problems?|issues?|history)|i have (epilepsy|asthma))\b",
)
HYPOTHETICAL = _any(
    r"\b(is (that|this|it) (normal|common|expected|a problem)|will i|could i|what if|what (should|do) i do if",
    r"is (ketamine|it|this|spravato|treatment) (dangerous|safe|ok|okay|risky)",
    r"if (someone|a patient|i|you|he|she) (has|have|had|gets?|starts?)",
    r"(can|could|does|do|will|would|might) (ketamine|it|this|spravato|esketamine|the \w+|infusions?|treatment) (ever |possibly |sometimes )?"
    r"(cause|trigger|lead to|give|help|treat|work|set off|bring on|induce|provoke)|watch (for|out for)|look out for|warning signs|"
    r"would mean|when (should|do|would) (we|i) call)\b",
)
RIGHT_NOW = _any(r"\b(right now|now|currently|at the moment|what do (i|we) do|please help|(is|are|am|i'm|she's|he's) having)\b",
                 r"\b(\d+|a|an|one|two|three|few|a few|couple( of)?|five|ten|fifteen|twenty|thirty|half an?) (min|mins|minutes|hour|hours|hr|hrs) ago\b",
                 r"\bwhat (i|we) do\b",
                 r"\b(getting|is getting|it's getting) worse\b",
                 r"^help\b", r"!!", r"\bhelp[!.]*$", r"\bplease\b[^.?!]{0,10}\bwhat (to|should i|do i) do\b")

# --- refused -------------------------------------------------------------------------------------------
_K = r"(?:ketamine|ket|k|special k|spravato|esketamine|troches?|lozenges?|nasal spray)"
_DOSEWORD = r"(?:lozenges?|troches?|doses?|sprays?|ketamine|mg|milligrams?|ml)"
_CLINICIAN = r"(doctor|psychiatrist|nurse|pharmacist|clinician|physician|dr|dealer|chemist|anesthesiologist|anaesthetist|paramedic|emt|medic)"
REFUSED = _any(
    # recreational use
    r"\b(how|want|wanna|best way|trying|going|tips)\b[^.?!]{0,15}\bget (really |super |so )?(high|wasted|messed up|fucked up|lit|twisted)\b",
    r"\b(wasted|messed up|fucked up|twisted) (on|with|off)\b", r"\b(get|reach|hit|achieve|fall into|fastest|easiest|quickest|best)\b[^.?!]{0,20}\bk[- ]?hole\b",
    r"\b(i|we|me|my friends)\b[^.?!]{0,40}\b(rave|raves|partying|clubbing|festival)\b", r"\bfor (partying|clubbing|raves?)\b",
    r"\b(i|we|me|my friends)\b[^.?!]{0,30}\b(try|do|doing|use|using|take|taking)\b[^.?!]{0,25}\brecreationally\b",
    rf"\b(me (n|and) my friends|my friends and i|my friends|we)\b[^.?!]{{0,30}}\b(wanna|want to|gonna|going to|plan to) (try|do|take) (it|some|{_K})\b",
    r"\brecreational (dose|amount|use tips)\b", r"(?<!not )(?<!not just )\bfor (fun|kicks|the fun of it|a good time)\b",
    r"\b(k|ket|ketamine) trip\b", r"\btrip (last|longer|harder|stronger)\b",
    r"\b(purely|just|only) for the (experience|fun|high|trip|vibes|feeling)\b", r"\bhave fun\b[^.?!]{0,10}\bnot (to )?(fix|treat|heal)\b",
    r"\b(hits?|kicks?) (as hard as|harder than|like) (the stuff|what you get|the street)\b", r"\bthe stuff (at|from) (raves|parties|clubs|festivals)\b",
    r"\b(the|my|a|that) (high|buzz)\b[^.?!]{0,15}\b(lasts?|longer|stronger|harder|better|more intense)\b", r"\b(buzz|euphoria|body high)\b[^.?!]{0,20}\b(stronger|better|more|bigger)\b",
    # buying, selling, diverting
    rf"\b(buy|purchase|(?<!in )order|score|cop)\b[^.?!]{{0,30}}\b{_K}\b[^.?!]{{0,30}}\b(online|street|overseas|abroad|cheap|website|dealer|vet|internet|mail)\w*",
    rf"\b(where|how) (can|could|do|would) i (buy|purchase|score|cop) (some )?{_K}\b", r"\b(sell|sells|selling) me\b", r"\b(sell|sells|selling) (my|your) (extra |leftover |spare )?(spray|sprays|doses?|lozenges?|troches?|meds|medication|prescription|script|pills|vials?)\b",
    r"\b(can|could|will|would) you sell\b", rf"\bsell(ing)? (some |my |extra )?{_K}\b",
    r"\bwithout (needing |having |seeing |getting |going to )?(a |an |any |all the |the |the whole )?(prescription|script|rx|doctor|doctor'?s (note|visit|approval))\b",
    rf"\b(sites?|websites?|place|somewhere|app) where (u|you|i|we|one) can (just )?(order|buy|get|score) (some )?{_K}\b",
    rf"\b(sites?|websites?|pharmac(y|ies)|vendors?|sellers?|shops?|stores?)\b[^.?!]{{0,30}}\b(ships?|sells?|mails?|delivers?)\b[^.?!]{{0,20}}\b({_K}|sprays?|lozenges?|troches?)\b", r"\bwithout (me )?(needing|having) to see (anyone|anybody|someone|a doctor)\b",
    rf"\bscore (some )?{_K}\b", r"\bno script\b", r"\bdealer\b", r"\bdark ?web\b",
    r"\b(street|black market) (price|value)\b", r"\bon the street\b", r"\b(a|per|the) gram\b", r"\bvet(erinary)? (supply|clinic|ketamine|store)\b",
    # self-dosing
    r"\bhow (much|many) (extra|more|mg|milligrams?|ml|sprays?|lozenges?|troches?|ketamine)\b[^.?!]{0,40}\b(should|can|could) (i|we) (take|use|do|give|have|shoot|inject|put|draw up)\b",
    r"\b(leftover|left over|spare|stolen|extra) (ketamine )?vials?\b",
    r"\bwhat dose should i\b", r"\bmg ?(per|/) ?kg\b",
    r"\b(replicate|recreate|copy|diy|do)\b[^.?!]{0,40}\b(protocol|infusions?|treatment|drip)\b[^.?!]{0,25}\bat home\b",
    r"\bat home\b[^.?!]{0,20}\b(iv bag|iv line|drip)\b",
    # the bot as prescriber: approval or a dose plan
    r"\b(approve|clear|qualify|sign off on|authori[sz]e) me (for|to (get|have|start))\b", r"\bwhich dose (plan )?(i'?m|i am|i should be) on\b",
    r"\b(inject|snort|sniff|smoke|vape|plug|boof|dose) (it |ketamine |k |them |my \w+ )?(myself|at home|on my own)\b",
    r"\bon my own\b[^.?!]{0,30}\b(dose|inject|im|iv|shots?|drip)\b", r"\b(im|iv) (shots?|injections?|drip)\b[^.?!]{0,30}\b(on my own|myself|at home)\b",
    r"\b(my own|home) (ketamine )?(iv|drip)\b", r"\b(set up|rig up|run) (an |my |a )?(own )?(ketamine )?(iv|drip)\b", r"\b(start|put in|insert|place) (my own (iv|drip)|an iv (on )?myself|the iv myself)\b",
    r"\b(double|triple) (my|the) (\w+ ){0,3}(dose|doses|dosage)\b", r"\bmicro-?dos\w*\b[^.?!]{0,60}\b(dose|how much|mg|take)\b",
    r"\bwhat dose (do|does|should|would|did) (people|artists|they|folks|most people|you|i)\b",
    r"\b(sell|buy|get|have)\b[^.?!]{0,30}\b(leftover|left over|what'?s left|the rest) (in|of|from)\b",
    r"\b(take over as|be|become) my (prescriber|prescribing doctor)\b",
    # putting doses aside for a party is diversion for recreational use
    r"\b(save|saving|keep|keeping|stash|stashing|hold on to|set aside)\b[^.?!]{0,30}\b(lozenges?|troches?|sprays?|doses?|meds|vials?|ketamine)\b"
    r"[^.?!]{0,25}\bfor (a|the|my|our) (party|parties|festival|rave|concert|night out|weekend|trip)\b",
    r"\b(save|saving|keep|keeping|stash\w*|set aside|hold on to)\b[^?]{0,40}\b(lozenges?|troches?|sprays?|doses?|ketamine|ket|meds)\b"
    r"[^?]{0,80}\b(party|parties|festival|rave|concert|club)\b",
    r"\b(take|use|do|have|try) (it|one|them|some|a (lozenge|troche|spray|dose))\b[^.?!]{0,20}\b(at|during|before) (a|the|my|our|this) "
    r"(party|festival|rave|concert|club)\b",
    r"\bkeep (my|the) (\w+ ){0,2}(lozenges|troches|sprays?|meds|prescriptions?|refills?|doses) coming\b",
    r"\b(give|share|lend|pass)\b[^.?!]{0,25}\b(one|some|half|a few|any) of (mine|my (lozenges|troches|sprays?|doses|meds|pills))\b", r"\bmg ?/ ?(hr|hour|min)\b",
    r"\b(run|set|start|hang)\b[^.?!]{0,25}\bdrip\b[^.?!]{0,30}\b(at home|for me|on me)\b",
    r"\b(if i|can i|could i|should i|ok if i|okay if i|all right if i)\b[^.?!]{0,15}\b(just )?(took|take|use|used|do)\b[^.?!]{0,20}\b(every day|daily|twice a day|more often)\b",
    r"\bhow (much|many)\b[^.?!]{0,20}\b(would|do|will) (each of us|we all|all of us)\b",
    r"\b(take|use|have|do) (\d+|two|three|four|five|several|a few|all( of)? (them|my \w+)) (\w+ )?at once\b", r"\b(can|could|should|may|please) (i )?(increase|up|raise) (my|the) dose\b",
    r"\b(make|get) (my|the) (spray|dose|lozenges?|troches?) (stronger|hit harder)\b", r"\b(better|stronger|bigger|nicer|harder) (buzz|high|trip)\b",
    # chasing a stronger effect ("hit harder", "feel it more", "to go deeper") is the recreational question in other words
    r"\b(hit|hits|kick in|kicks in|feel it|feel the effects?)\b[^.?!]{0,12}\b(harder|stronger|more intense(ly)?)\b[^.?!]{0,12}\b(if|with|after|when|on)\b",
    r"\b(mix|combine|add|stack|take)\b[^.?!]{0,40}\bto (go|get|trip|feel) (even )?(deeper|higher|further|harder)\b",
    rf"\b{_K}\b[^.?!]{{0,30}}\b(snort|sniff)(s|ed|ing)?\b",
    rf"\b(can|could|should|may) i (take|use|have|do) (an? |two |some |a few )?(extra|additional|more) {_DOSEWORD}\b", rf"\bhow many (extra|more) {_DOSEWORD}\b",
    r"\b(can|could|should|how (do|would|can)) i (crush|snort|sniff|inject|smoke|vape|plug|boof)\b", rf"\b(crush|snort|sniff)\b[^.?!]{{0,20}}\b{_K}\b",
    # prescriptions and approvals
    r"\b(prescribe|prescription for) me\b", r"\b(write|give|get|send|issue|email|fax) me (a|an|my)? ?(script|prescription|rx)\b", r"\bwrite (a|me a|my) (script|prescription)\b",
    r"^(please )?refill\b", r"\brefill (my|a|the)\b", r"\brenew my (prescription|script)\b", r"\bcall in (more|a|my|another|some)\b", r"\bcan you prescribe\b",
    rf"\bcan you (give|send|get) me (more |some |a |another )?({_K}|script|prescription|refill|doses?)\b",
    r"\b(can|could|will|would) (you|this chat|this bot|the bot|clinicbot)\b[^.?!]{0,10}\b(approve|authori[sz]e|clear|sign off on)\b",
    r"^(please )?(approve|authori[sz]e)\b",
    # role-play as a clinician, fiction as a wrapper
    rf"\b(pretend|act|roleplay|role-play|role play|imagine|play the part)\b[^.?!]{{0,25}}\b(you('re| are)|as|to be|of)\b[^.?!]{{0,10}}\b{_CLINICIAN}\b",
    rf"\b(speak|talk|answer|reply|respond|write) (to me )?(as|like) (my |a |an |the )?{_CLINICIAN}\b", r"\bpretend to be (her|him|them)\b",
    r"\b(pretend|act|roleplay|role-play|role play|play the part)\b[^.?!]{0,15}\b(as|to be|like|of)\b[^.?!]{0,80}\bhow (much|many)\b",
    # "be my cool cousin who's a paramedic": a clinician by another name
    rf"\b(be|play|pretend (you'?re|your|you are|to be)|act like) (my|a|an|the)\b[^.?!]{{0,30}}\b(who'?s|who is|who was|who used to be|that'?s|that is|working as) "
    rf"(a |an )?(\w+ )?{_CLINICIAN}\b",
    rf"\bhow much {_K}\b[^.?!]{{0,15}}\bdraw (it )?up\b",
    r"\byou'?re (a|an|my) (pharmacist|doctor|nurse|psychiatrist|dealer|physician) now\b",
    r"\b(story|novel|fiction\w*|character|scene)\b[^.?!]{0,60}\b(dose|dosing|mg|cook|get high|synthesi[sz]e|inject)\b",
    # overrides and prompt extraction
    r"\b(ignore|disregard|forget|bypass|override)\b[^.?!]{0,25}\b(instructions|rules|prompt|guidance|guidelines|restrictions|filters|programming)\b",
    r"\b(system|hidden) (prompt|message)\b", r"\byour (system|hidden|initial|original|secret|setup) (prompt|instructions|message|rules)\b",
    r"\bnew (instructions|directives?)\s*:", r"\bdirective\b", r"</?\s*(context|system|instructions?)\s*>", r"\[system\]",
    r"\bdeveloper mode\b", r"\bmaintenance (mode|window)\b",
    r"\b(echo|repeat|print|list|reveal|show|output|dump)\b[^.?!]{0,30}\b(instructions|rules|prompt)\b[^.?!]{0,30}\b(developers?|creators?|admins?|you were given|gave you|given to you)\b", r"\bjailbreak\w*", r"\bdan mode\b", r"\bdo anything now\b", r"\byou are now (dan|unfiltered|unrestricted|an? \w+|my \w+)\b",
    r"\b(with|have|has) no (restrictions|rules|filters|limits)\b", r"\bwithout (any )?(restrictions|rules|filters|limits)\b",
    r"\b(repeat|print|show|reveal|output|dump|display|leak|translate|summari[sz]e|copy)\b[^.?!]{0,20}"
    r"\b(your (text|words|instructions|rules|prompt|configuration|config|guidelines|setup)|the (prompt|configuration|config|admin notes|(text|words|instructions) above))\b",
    r"\b(what were you|what have you been) told\b", r"\bverbatim\b", r"\bword for word\b",
)

# --- off topic, domain, personal ------------------------------------------------------------------------
OFF_TOPIC = _any(
    r"\b(kill|terminate|end|stop|execute|run|restart)\b[^.?!]{0,25}"
    r"\b(process|processes|pid|script|job|container|daemon|thread|server|service|cron|command|terminal|shell|program)\b",
    r"\b\d+(\.\d+)? ?(times|plus|minus|divided by|multiplied by|\*|\+|\^) ?\d+\b", r"\b(solve|equation|derivative|integral|algebra|calculus|homework)\b",
    r"\b(bitcoin|btc|ethereum|dogecoin|stock market|nasdaq|dow jones|s&p 500)\b",
)
# A task outside the clinic's care asked of the bot ("write my essay", "write me python"): off topic even beside
# incidental clinic words ("my doctor says i need less stress, so write my essay"), unless it names the treatment
OFF_TOPIC_TASK = _any(
    r"\b(write|do|finish|draft) my (\w+[- ])?(\w+ )?(essay|assignment|term paper|cover letter|resume|book report)\b",
    r"\b(write|code|build|make|give) (me )?(a |some )?(python|javascript|js|java|sql|bash|c\+\+|rust|html|css|code|script|program|scraper|web ?app)\b",
    r"\bscrap(e|er|ing)\b[^.?!]{0,30}\b(prices|website|site|amazon|data|pages)\b",
)
# the treatment itself: DOMAIN names it among the clinic's other words, TREATMENT alone
_TREATMENT = r"ketamine|ket|esketamine|spravato|infusions?|troches?|lozenges?|nasal spray|clinic|treatments?|therap\w*|sessions?"
TREATMENT = _any(rf"\b({_TREATMENT})\b")
# Words that tie a message to the clinic's care: such a message is never off topic.
DOMAIN = _any(
    rf"\b({_TREATMENT}|doses?|dosing|appointments?",
    r"depress\w*|anxiety|ptsd|ocd|bipolar|pain|migraines?|side effects?|groggy|drows\w*|dizz\w*|nause\w*|insurance|psychiatr\w*|nurses?|doctors?|prescri\w*|medications?|meds",
    r"antidepressants?|mental|suicid\w*|nasal|iv|dissociat\w*|intake|consult\w*|fibromyalgia|crps|anesthe\w*|nmda|glutamate|bdnf|mood",
    r"brain|neuro\w*|synap\w*|receptors?|(to |can i |how do i )book|book(ing)? (an? |my |the |your )?(appointment|session|visit|consult\w*|infusion|slot)|booking|schedule|located|location|offices?|staff|providers?|contact|klearmind|lakeshore",
    r"observation|monitor\w*|recovery|park|parking|cost|costs|price|prices|pay(ing)? (for|with|by|out of pocket)|payment|fees?|copay|visit|visits|hours|directions",
    r"address|phone|wait(ing)? room|check-?in|arrive|arrival|opening hours",
    r"(what time|when) do (you|y'all|u|ya) (open|close)|are (you|u|y'all) open)\b",
)
# Questions about money, visits and getting there: never a request to self-dose.
LOGISTICS = _any(r"\b(cost|costs|price|prices|pay|paying|payment|fees?|copay|insurance|covered|afford\w*|park|parking|appointment"
                 r"|schedule|book|hours|open|directions|address)\b")
DOSE_UNITS = _any(r"\b(\d+\s*(sprays?|puffs?|lozenges?|troches?)|mg|milligrams?|ml|grams?|micrograms?|mcg"
                  r"|how many (sprays?|puffs?|lozenges?|troches?|mg|doses?)|how much (ketamine|spravato|of it))\b")
# "is it worth it", "need it gone": an "it" inside an idiom points at nothing earlier
FOLLOW_UP = _any(r"\b(that|(?<!worth )it(?! (gone|out|off)\b)|this|those|these|they|them|there|then)\b", r"^(and|also|what about|how about|so)\b")
# A question about one's own care (own medicines, conditions, suitability), not any first-person wording:
# "i take lithium, can i get ketamine?" yes; "where can i park my car?" no.
_OWN = r"(i|i'm|im|i am|i've|ive|my|me)"
_CARE = (r"(meds?|medications?|medicines?|pills|prescriptions?|antidepressants?|ssris?|lithium|dose|diagnos\w*|condition|"
         r"blood pressure|heart|pregnan\w*|breastfeed\w*|history|bipolar|depress\w*|anxiety|ptsd|ocd|pain|health|"
         r"symptoms?|treatment|therapy|infusions?|doctor|psychiatrist|age|allerg\w*|surgery|illness|disorder)")
PERSONAL = _any(rf"\b(right|safe|ok|okay|good|suitable|work|a good (idea|fit)) for me\b",
                rf"\b(should|can|could|will|would|may) i (take|get|have|try|start|stop|use|do|qualify|be)\b[^.?!]{{0,40}}"
                rf"\b(ketamine|spravato|esketamine|treatment|therapy|infusions?|it|this)\b",
                rf"\b{_OWN}\b[^.?!]{{0,30}}\b{_CARE}\b", rf"\b{_CARE}\b[^.?!]{{0,20}}\b{_OWN}\b")
NON_TEXT = re.compile(r"[\w]", re.U)
