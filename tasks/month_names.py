"""Month names of 31 languages, lower case, as printed dates spell them (CLDR data: format and stand-alone
forms, wide and abbreviated; a genitive such as Polish ``marca`` or Russian ``марта`` is the format form).

A date in words of a language the general parser does not know (``7. März 2026``, ``7 mars 2026``) was
read as 1 July: dateutil took the day for the month and invented the day. Data, not code: regenerate
with ``python -m tasks.month_names`` (needs babel, installed with trafilatura) and paste its output.
"""

# ruff: noqa: E501  (rows of data, one line each)
from __future__ import annotations

# language: rows of twelve names, January first, space-separated (a name of several words joined by _)
MONTHS: dict[str, tuple[str, ...]] = {
    "en": (
        "january february march april may june july august september october november december",
        "jan feb mar apr may jun jul aug sep oct nov dec",
    ),
    "de": (
        "januar februar märz april mai juni juli august september oktober november dezember",
        "jan feb märz apr mai juni juli aug sept okt nov dez",
        "jan feb mär apr mai jun jul aug sep okt nov dez",
    ),
    "fr": (
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
        "janv févr mars avr mai juin juil août sept oct nov déc",
    ),
    "es": (
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
        "ene feb mar abr may jun jul ago sept oct nov dic",
    ),
    "it": (
        "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
        "gen feb mar apr mag giu lug ago set ott nov dic",
    ),
    "pt": (
        "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
        "jan fev mar abr mai jun jul ago set out nov dez",
    ),
    "nl": (
        "januari februari maart april mei juni juli augustus september oktober november december",
        "jan feb mrt apr mei jun jul aug sep okt nov dec",
    ),
    "pl": (
        "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia",
        "sty lut mar kwi maj cze lip sie wrz paź lis gru",
        "styczeń luty marzec kwiecień maj czerwiec lipiec sierpień wrzesień październik listopad grudzień",
    ),
    "tr": (
        "ocak şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık",
        "oca şub mar nis may haz tem ağu eyl eki kas ara",
    ),
    "ru": (
        "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
        "янв февр мар апр мая июн июл авг сент окт нояб дек",
        "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь",
        "янв февр март апр май июнь июль авг сент окт нояб дек",
    ),
    "uk": (
        "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
        "січ лют бер квіт трав черв лип серп вер жовт лист груд",
        "січень лютий березень квітень травень червень липень серпень вересень жовтень листопад грудень",
    ),
    "cs": (
        "ledna února března dubna května června července srpna září října listopadu prosince",
        "led úno bře dub kvě čvn čvc srp zář říj lis pro",
        "leden únor březen duben květen červen červenec srpen září říjen listopad prosinec",
    ),
    "sk": (
        "januára februára marca apríla mája júna júla augusta septembra októbra novembra decembra",
        "jan feb mar apr máj jún júl aug sep okt nov dec",
        "január február marec apríl máj jún júl august september október november december",
    ),
    "sv": (
        "januari februari mars april maj juni juli augusti september oktober november december",
        "jan feb mars apr maj juni juli aug sep okt nov dec",
    ),
    "nb": (
        "januar februar mars april mai juni juli august september oktober november desember",
        "jan feb mars apr mai juni juli aug sep okt nov des",
        "jan feb mar apr mai jun jul aug sep okt nov des",
    ),
    "da": (
        "januar februar marts april maj juni juli august september oktober november december",
        "jan feb mar apr maj jun jul aug sep okt nov dec",
    ),
    "fi": (
        "tammikuuta helmikuuta maaliskuuta huhtikuuta toukokuuta kesäkuuta heinäkuuta elokuuta syyskuuta lokakuuta marraskuuta joulukuuta",
        "tammi helmi maalis huhti touko kesä heinä elo syys loka marras joulu",
        "tammikuu helmikuu maaliskuu huhtikuu toukokuu kesäkuu heinäkuu elokuu syyskuu lokakuu marraskuu joulukuu",
    ),
    "hu": (
        "január február március április május június július augusztus szeptember október november december",
        "jan febr márc ápr máj jún júl aug szept okt nov dec",
    ),
    "ro": (
        "ianuarie februarie martie aprilie mai iunie iulie august septembrie octombrie noiembrie decembrie",
        "ian feb mar apr mai iun iul aug sept oct nov dec",
    ),
    "hr": (
        "siječnja veljače ožujka travnja svibnja lipnja srpnja kolovoza rujna listopada studenoga prosinca",
        "sij velj ožu tra svi lip srp kol ruj lis stu pro",
        "siječanj veljača ožujak travanj svibanj lipanj srpanj kolovoz rujan listopad studeni prosinac",
    ),
    "sl": (
        "januar februar marec april maj junij julij avgust september oktober november december",
        "jan feb mar apr maj jun jul avg sep okt nov dec",
    ),
    "bg": (
        "януари февруари март април май юни юли август септември октомври ноември декември",
        "яну фев март апр май юни юли авг сеп окт ное дек",
    ),
    "el": (
        "ιανουαρίου φεβρουαρίου μαρτίου απριλίου μαΐου ιουνίου ιουλίου αυγούστου σεπτεμβρίου οκτωβρίου νοεμβρίου δεκεμβρίου",
        "ιαν φεβ μαρ απρ μαΐ ιουν ιουλ αυγ σεπ οκτ νοε δεκ",
        "ιανουάριος φεβρουάριος μάρτιος απρίλιος μάιος ιούνιος ιούλιος αύγουστος σεπτέμβριος οκτώβριος νοέμβριος δεκέμβριος",
        "ιαν φεβ μάρ απρ μάι ιούν ιούλ αύγ σεπ οκτ νοέ δεκ",
    ),
    "ca": (
        "de_gener de_febrer de_març d’abril de_maig de_juny de_juliol d’agost de_setembre d’octubre de_novembre de_desembre",
        "de_gen de_febr de_març d’abr de_maig de_juny de_jul d’ag de_set d’oct de_nov de_des",
        "gener febrer març abril maig juny juliol agost setembre octubre novembre desembre",
        "gen febr març abr maig juny jul ag set oct nov des",
    ),
    "id": (
        "januari februari maret april mei juni juli agustus september oktober november desember",
        "jan feb mar apr mei jun jul agu sep okt nov des",
    ),
    "ms": (
        "januari februari mac april mei jun julai ogos september oktober november disember",
        "jan feb mac apr mei jun jul ogo sep okt nov dis",
    ),
    "lt": (
        "sausio vasario kovo balandžio gegužės birželio liepos rugpjūčio rugsėjo spalio lapkričio gruodžio",
        "saus vas kov bal geg birž liep rugp rugs spal lapkr gruod",
        "sausis vasaris kovas balandis gegužė birželis liepa rugpjūtis rugsėjis spalis lapkritis gruodis",
    ),
    "lv": (
        "janvāris februāris marts aprīlis maijs jūnijs jūlijs augusts septembris oktobris novembris decembris",
        "janv febr marts apr maijs jūn jūl aug sept okt nov dec",
    ),
    "et": (
        "jaanuar veebruar märts aprill mai juuni juuli august september oktoober november detsember",
        "jaan veebr märts apr mai juuni juuli aug sept okt nov dets",
    ),
    "is": (
        "janúar febrúar mars apríl maí júní júlí ágúst september október nóvember desember",
        "jan feb mar apr maí jún júl ágú sep okt nóv des",
    ),
    "af": (
        "januarie februarie maart april mei junie julie augustus september oktober november desember",
        "jan feb mrt apr mei jun jul aug sep okt nov des",
    ),
    "sw": (
        "januari februari machi aprili mei juni julai agosti septemba oktoba novemba desemba",
        "jan feb mac apr mei jun jul ago sep okt nov des",
    ),
}



def month_numbers() -> dict[str, int]:
    """Every month word to its month (1-12); a word two languages give to different months (Polish
    ``listopad`` is November, Croatian October) is left out rather than guessed."""
    seen: dict[str, set[int]] = {}
    for rows in MONTHS.values():
        for row in rows:
            for number, word in enumerate(row.split(), start=1):
                seen.setdefault(word.replace("_", " "), set()).add(number)
    return {word: next(iter(numbers)) for word, numbers in seen.items() if len(numbers) == 1 and len(word) >= 3}


if __name__ == "__main__":  # print MONTHS anew from CLDR
    from babel.dates import get_month_names

    print("MONTHS: dict[str, tuple[str, ...]] = {")
    for lang in MONTHS:
        rows: list[str] = []
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                names = get_month_names(width, context, locale=lang)
                row = " ".join(names[m].lower().rstrip(".").replace(" ", "_") for m in range(1, 13))
                if row not in rows:
                    rows.append(row)
        print(f'    "{lang}": (')
        for row in rows:
            print(f'        "{row}",')
        print("    ),")
    print("}")
