"""Small word lists the name layer needs, all lower-case.

They are deliberately short: they only have to catch the capitalised words that news text puts
next to names (titles, sentence openers, nationality adjectives), not describe English.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words that name an office or a form of address. A capitalised run that contains one is a
#: title followed by a name: "Bundesbank President Karl Otto Poehl" -> "Karl Otto Poehl".
TITLES = _words(
    """
    mr mrs ms miss dr sir dame lord lady madam mme mlle herr frau
    president premier chancellor minister secretary governor
    chairman chairwoman chairperson ceo spokesman spokeswoman spokesperson commissioner
    ambassador envoy senator sen rep representative congressman congresswoman
    king queen prince princess emperor empress sheikh sheik emir shah sultan
    ayatollah imam pope cardinal bishop archbishop rabbi reverend rev
    presidents premiers chancellors ministers secretaries governors chairmen spokesmen
    commissioners ambassadors senators congressmen kings princes sheikhs
    """
)

#: Office words that also start ordinary names ("General Motors", "Justice Department"): they
#: only count as a title before a name of two or more words, after another title word, or at
#: the end of a run ("White House Chief" of Staff Howard Baker).
WEAK_TITLES = _words(
    """
    general gen colonel col major maj captain capt lieutenant lt sergeant sgt admiral marshal
    director chair judge justice mayor speaker leader chief officer head professor prof
    father treasurer comptroller administrator attorney counsel economist analyst official
    aide adviser advisor negotiator delegate lawyer
    """
)

#: Words that qualify an office ("Deputy Prime", "Finance", "Budget"): stripped together with
#: the office, and after "for"/"of"/"and" that follow a title ("Minister for Industry and
#: Trade Denis Manturov").
QUALIFIERS = _words(
    """
    deputy vice prime acting former first executive managing general senior junior assistant
    under principal permanent foreign finance economy economic economics trade industry
    industries industrial commerce treasury interior home defence defense energy oil
    petroleum mines mining agriculture agricultural labour labor health education transport
    communications culture environment development planning budget justice tourism
    information social security national state affairs international external internal
    co-ordinating coordinating monetary fiscal staff cabinet exchequer
    """
)

#: Particles that sit inside names in lower case: "Charles de Gaulle", "Osama bin Laden".
PARTICLES = _words(
    """
    de del della dei der den di da das dos do du la le les van von vom zu zur ter ten
    bin ibn bint ben al el ul y e
    """
)

#: Head words of organisation names that may take "of" inside the name ("Bank of Japan").
ORG_HEADS = _words(
    """
    bank banks ministry department university institute institution council association
    federation chamber board court republic kingdom union league commission committee
    office bureau church college school society organisation organization agency
    authority corporation company fund exchange house academy museum gulf bay sea isle
    administration service services
    isles islands cape port duke duchess earl city state states province district
    """
)

#: Nationality and regional adjectives: a run made only of these and directions is not a name.
DEMONYMS = _words(
    """
    american british english scottish welsh irish french german italian spanish portuguese
    dutch belgian swiss austrian swedish norwegian danish finnish icelandic greek turkish
    russian soviet polish czech slovak hungarian romanian bulgarian yugoslav serbian
    croatian ukrainian belarusian baltic estonian latvian lithuanian
    japanese chinese korean taiwanese vietnamese thai malaysian indonesian filipino
    philippine singaporean burmese indian pakistani bangladeshi afghan iranian iraqi
    kuwaiti saudi qatari syrian lebanese jordanian israeli palestinian egyptian libyan
    tunisian algerian moroccan nigerian kenyan ghanaian ethiopian african asian european
    arab arabian latin canadian mexican brazilian argentine argentinian chilean peruvian
    colombian venezuelan ecuadorean ecuadorian bolivian uruguayan paraguayan cuban
    australian nordic scandinavian western eastern northern southern central
    """
)

#: Direction words that combine with demonyms ("West German", "North Korean").
DIRECTIONS = _words("north south east west northeast northwest southeast southwest new")

#: Words capitalised only because they open a sentence or a heading ("The", "But", "In"):
#: dropped from the start of a run, and a run is cut where one appears inside it.
FUNCTION_WORDS = _words(
    """
    a an the this that these those it its he she his her him they them their we our us you
    your i me my there here then now so yet but and or nor if when while whilst after
    before since until because although though however meanwhile moreover furthermore also
    as at by for from in into on onto of off out over under up down to with without within
    about above across against along among amid around behind below beneath beside besides
    between beyond despite during except inside near outside through throughout toward
    towards upon via per what which who whom whose why how where whether such some many
    most more much all both each every either neither no not none one two three four five
    six seven eight nine ten last next other another any few several only even just still
    already again once first second third today yesterday tomorrow tonight
    according asked earlier later following based given including instead otherwise
    indeed perhaps please thanks thank yes ok okay oh well see read photo unlike like
    i'm i've i'd i'll i’m i’ve i’d i’ll excluding citing noting told said says overall
    currently
    """
)

#: Number words: after a month they make a date ("Pay May One").
NUMBERS = _words(
    """
    one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty first second third fourth fifth sixth
    seventh eighth ninth tenth
    """
)

#: Weekdays: never the start of a name ("On Friday Reagan said").
WEEKDAYS = _words("monday tuesday wednesday thursday friday saturday sunday")

#: Months and weekdays: a run ending in one before a number ("Record April 15") loses it.
CALENDAR = WEEKDAYS | _words(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    """
)

#: Units and wire-service abbreviations: never part of a name ("U.S. Dlrs" -> "U.S.").
UNITS = _words(
    "dlrs dlr mln bln pct cts shr shrs qtr qtly qtrly mths mthly oper revs avg reuter nil"
)

#: Capitalised words that are never a name on their own. Unlike :data:`FUNCTION_WORDS` they
#: may sit inside a name ("Theresa May", "Sun Microsystems").
NOT_NAMES = (
    FUNCTION_WORDS
    | CALENDAR
    | UNITS
    | _words(
        """
        reuter reuters note notes net nil ii iii iv gmt est edt cst cdt pst pdt bst cet utc
        am pm tv gdp gnp ceo inc corp co ltd plc llc days weeks months years
        """
    )
)

#: Abbreviations written with a full stop that does not end the sentence ("Mr. Volcker").
ABBREVIATIONS = _words(
    "mr mrs ms dr st gen sen rep gov lt col sgt capt jr sr prof rev mt ft messrs"
)

#: Company suffixes dropped from the end of a name: "General Motors Corp" -> "General Motors".
COMPANY_SUFFIXES = _words("inc corp co ltd plc llc lp nv ag sa bv ab spa gmbh pty")

#: Generational suffixes that do not tell people apart for search: "Martin Luther King Jr".
NAME_SUFFIXES = _words("jr sr jnr snr ii iii iv")

#: Romanised East Asian surnames: in "Kim Jong-un" or "Li Peng" the surname comes first.
EAST_ASIAN_SURNAMES = _words(
    """
    kim lee yi park pak choi choe jung chung kang cho yoon yun jang chang lim im han oh seo
    shin kwon hwang ahn song jeon hong ko moon roh rhee chun
    li wang zhang liu chen yang zhao huang zhou wu xu sun hu zhu gao lin he guo ma luo
    liang zheng xie tang feng yu dong xiao cheng cao yuan deng fu shen zeng peng lu su
    jiang cai jia ding wei ye yan pan du dai xia zhong tian ren fan fang shi yao tan liao
    zou xiong jin hao kong bai cui mao qiu qin chiang teng chou
    nguyen tran le pham hoang phan vu vo dang bui ngo
    """
)

#: Lower-case endings of hyphenated adjectives made from names: "Moscow-based" -> "Moscow".
ADJECTIVE_SUFFIXES = _words(
    """
    based born led made owned backed controlled run style era bound linked listed registered
    like wide dominated funded sponsored held ruled occupied speaking stricken
    """
)
