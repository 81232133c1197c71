//! Word lists shared by the tokenizer and the sentence splitter: which words
//! keep their full stop (`Mr.`, `Inc.`), and which capitalised words tend to
//! open a sentence.

use super::case::{capitalised, LineCase};

/// How an abbreviation behaves before a capitalised word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AbbrevKind {
    /// Titles and prefixes (`Mr.`, `Sen.`, `St.`, `Mt.`): always followed by
    /// the name they belong to, so never the end of a sentence before a
    /// capitalised word.
    Title,
    /// Keeps its stop only before a number (`No. 1`, `p. 55`).
    BeforeNumber,
    /// Usually ends its sentence when a capitalised word follows (`Inc.`,
    /// `Corp.`, `Calif.`, `etc.`), unless that word continues a name
    /// (`Co. Chairman`).
    Final,
    /// May end a sentence (`U.S.`, `p.m.`): a boundary only when the next word
    /// looks like a sentence opener.
    Other,
}

/// The kind of a word (without its stop) that takes an abbreviation stop,
/// or `None` for ordinary words.
pub(crate) fn abbrev_kind(word: &str) -> Option<AbbrevKind> {
    use AbbrevKind::*;
    let kind = match word {
        // People's titles and place prefixes.
        "Mr" | "Mrs" | "Ms" | "Messrs" | "Mmes" | "Dr" | "Drs" | "Prof" | "Profs" | "Sen"
        | "Sens" | "Rep" | "Reps" | "Gov" | "Govs" | "Gen" | "Col" | "Lt" | "Maj" | "Capt"
        | "Cmdr" | "Cdr" | "Sgt" | "Cpl" | "Pvt" | "Adm" | "Brig" | "Rev" | "Hon" | "Pres"
        | "Supt" | "Insp" | "Amb" | "Atty" | "Msgr" | "Fr" | "St" | "Ste" | "Mt" | "Ft"
        | "Gens" | "Lieut" | "Sgts" | "MR" | "MRS" | "MS" | "DR" => Title,
        // Before a number.
        "No" | "Nos" | "no" | "nos" | "p" | "pp" | "Vol" | "vol" | "Vols" | "Art" | "art"
        | "Fig" | "fig" | "Figs" | "Ch" | "ch" | "Sec" | "sec" | "Nr" | "Op" | "op" => BeforeNumber,
        // Companies and organisations.
        "Inc" | "Corp" | "Co" | "Cos" | "Ltd" | "Bros" | "Cie" | "Pty" | "Mfg" | "Assn"
        | "Dept" | "Univ" | "Inst" | "Intl" | "Natl" | "Govt" | "INC" | "CORP" | "CO" | "COS"
        | "LTD" | "co" | "Jr" | "Sr" | "JR" | "SR" | "Esq" => Final,
        "Ph" | "Ave" | "Blvd" | "Rd" | "Hwy" | "Sq" | "Ct" | "Pl" | "st" | "ave" | "rd" => Other,
        // Months (May, June and July are seldom shortened).
        "Jan" | "Feb" | "Mar" | "Apr" | "Jun" | "Jul" | "Aug" | "Sep" | "Sept" | "Oct" | "Nov"
        | "Dec" => Title,
        // U.S. states, old style.
        "Ala" | "Ariz" | "Ark" | "Calif" | "Colo" | "Conn" | "Del" | "Fla" | "Ga" | "Ill"
        | "Ind" | "Kan" | "Kans" | "Ky" | "La" | "Md" | "Mass" | "Mich" | "Minn" | "Miss"
        | "Mo" | "Mont" | "Neb" | "Nebr" | "Nev" | "Okla" | "Ore" | "Pa" | "Penn" | "Tenn"
        | "Tex" | "Va" | "Vt" | "Wash" | "Wis" | "Wyo" | "Ont" | "Que" | "Alta" => Final,
        // Latin and general shortenings.
        "etc" => Final,
        "vs" | "v" | "viz" | "cf" | "al" | "approx" | "est" | "ca" | "ft" | "sq" | "oz" | "lb"
        | "lbs" | "yr" | "yrs" | "hr" | "hrs" | "Ltda" | "var" | "Cal" => Other,
        _ => return None,
    };
    Some(kind)
}

/// [`abbrev_kind`] in a line of `case`: without case (lower case, ALL CAPS)
/// a word that is not in the list as written is looked up capitalised, so
/// `mr.`, `inc.` and `CALIF.` keep their stops there as `Mr.`, `Inc.` and
/// `Calif.` do in running text.
pub(crate) fn abbrev_kind_in(word: &str, case: LineCase) -> Option<AbbrevKind> {
    abbrev_kind(word).or_else(|| {
        let mut buf = [0; 12];
        case.caseless()
            .then(|| capitalised(word, &mut buf).and_then(abbrev_kind))
            .flatten()
    })
}

/// True for capitalised words that usually open a sentence: pronouns,
/// determiners, conjunctions, sentence adverbs and the plural nouns news
/// sentences often start with. Used after an abbreviation that may or may not
/// end its sentence (`in the U.S. However, ...` vs `the U.S. Treasury`).
pub(crate) fn is_sentence_opener(word: &str) -> bool {
    opens_caseless_sentence(word)
        || matches!(
            word,
            "A" | "An"
                | "This"
                | "That"
                | "Its"
                | "His"
                | "Her"
                | "Your"
                | "Here"
                | "And"
                | "Or"
                | "So"
                | "Yet"
                | "Still"
                | "Also"
                | "Then"
                | "Now"
                | "In"
                | "On"
                | "At"
                | "For"
                | "With"
                | "By"
                | "From"
                | "As"
                | "After"
                | "Before"
                | "When"
                | "While"
                | "Although"
                | "Though"
                | "If"
                | "Because"
                | "Since"
                | "Some"
                | "Many"
                | "Most"
                | "All"
                | "Both"
                | "Each"
                | "Every"
                | "Nor"
                | "What"
                | "Who"
                | "Why"
                | "How"
                | "Where"
                | "Which"
                | "Did"
                | "Do"
                | "Does"
                | "Is"
                | "Are"
                | "Was"
                | "Were"
                | "Has"
                | "Have"
                | "Had"
                | "Will"
                | "Would"
                | "Can"
                | "Could"
                | "Should"
                | "Yes"
                | "No"
                | "Shares"
                | "Prices"
                | "Sales"
                | "Police"
                | "Earlier"
                | "Later"
                | "Last"
                | "Next"
                | "Such"
                | "Another"
                | "Other"
                | "Others"
                | "Several"
                | "Under"
                | "Over"
                | "During"
                | "Despite"
                | "Instead"
                | "Today"
                | "Yesterday"
                | "Overall"
                | "Neither"
                | "Either"
                | "Few"
                | "Let"
                | "Please"
                | "Not"
                | "Only"
                | "Even"
                | "Just"
                | "Earnings"
                | "Profit"
                | "Revenue"
                | "Volume"
                | "Stocks"
                | "Bonds"
                | "Results"
        )
}

/// The words of [`is_sentence_opener`] (capitalised) that still open a
/// sentence when nothing is capitalised: pronouns, `The` and sentence
/// adverbs, which seldom follow `Inc.` or `U.S.` inside a sentence, unlike
/// prepositions, conjunctions and verbs (`acme inc. and`, `the u.s. on`).
pub(crate) fn opens_caseless_sentence(word: &str) -> bool {
    matches!(
        word,
        "The"
            | "These"
            | "Those"
            | "It"
            | "He"
            | "She"
            | "They"
            | "We"
            | "I"
            | "You"
            | "Their"
            | "Our"
            | "My"
            | "There"
            | "But"
            | "However"
            | "Meanwhile"
            | "Moreover"
            | "Furthermore"
            | "Nevertheless"
            | "Thus"
            | "Therefore"
            | "Indeed"
            | "Separately"
            | "Officials"
            | "Analysts"
            | "Investors"
            | "Critics"
            | "Experts"
            | "Economists"
            | "Traders"
            | "Residents"
            | "Authorities"
    )
}

/// Capitalised words that continue a company or person name after `Inc.`,
/// `Co.`, `Jr.` rather than open a new sentence.
pub(crate) fn continues_name(word: &str) -> bool {
    matches!(
        word,
        "Chairman"
            | "President"
            | "Chief"
            | "Vice"
            | "Executive"
            | "Director"
            | "Securities"
            | "Ltd."
            | "Inc."
            | "Corp."
            | "Co."
            | "Group"
            | "Unit"
            | "Division"
            | "Subsidiary"
            | "Senior"
            | "Managing"
            | "Treasurer"
            | "Secretary"
            | "Spokesman"
            | "Spokeswoman"
    )
}
