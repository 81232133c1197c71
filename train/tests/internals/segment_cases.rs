//! Table-driven cases for tokens, sentences and blocks (our own sentences),
//! and the shared sentence-boundary rule sets (read from `../shared` at test
//! time, scored as `shared/tools/score_sentences.py` scores them; skipped
//! without `../shared`, while `tests/fixture.rs` runs our own rule cases).

use newsmark::internals::segment::{blocks::blocks, sentences_and_tokens, tokens::tokenize};
use newsmark::{segment, BlockKind, BoilerplateReason};
use newsmark_train::corpus::{read_rule_cases, shared_for_test};
use newsmark_train::score::rule_cases;

fn token_texts(text: &str) -> Vec<&str> {
    tokenize(text).iter().map(|s| s.slice(text)).collect()
}

fn sentence_texts(text: &str) -> Vec<&str> {
    segment(text)
        .sentences
        .iter()
        .map(|s| s.slice(text))
        .collect()
}

#[test]
fn tokens() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "clitic_s",
            "the firm's plan",
            &["the", "firm", "'s", "plan"],
        ),
        (
            "clitic_nt",
            "They don't know",
            &["They", "do", "n't", "know"],
        ),
        ("clitic_cant", "we can't", &["we", "ca", "n't"]),
        ("clitic_curly", "it’s ours", &["it", "’s", "ours"]),
        (
            "clitic_re_ll",
            "we're sure they'll",
            &["we", "'re", "sure", "they", "'ll"],
        ),
        ("name_apostrophe", "O'Brien left", &["O'Brien", "left"]),
        (
            "possessive_plural",
            "the banks' loans",
            &["the", "banks", "'", "loans"],
        ),
        (
            "hyphen_split",
            "a time-consuming task",
            &["a", "time", "-", "consuming", "task"],
        ),
        (
            "hyphen_prefix_kept",
            "a co-author and anti-war mid-1990s",
            &["a", "co-author", "and", "anti-war", "mid-1990s"],
        ),
        (
            "dollar_number",
            "costs $5.4 billion",
            &["costs", "$", "5.4", "billion"],
        ),
        ("currency_prefix", "HK$ 100", &["HK$", "100"]),
        ("thousands", "1,000 people", &["1,000", "people"]),
        ("fraction_time", "3/4 at 10:30", &["3/4", "at", "10:30"]),
        ("percent", "up 2.5%.", &["up", "2.5", "%", "."]),
        (
            "abbreviations",
            "Mr. Smith of Acme Inc. in the U.S.",
            &["Mr.", "Smith", "of", "Acme", "Inc.", "in", "the", "U.S."],
        ),
        ("initials", "J. R. Ewing", &["J.", "R.", "Ewing"]),
        (
            "sentence_stop",
            "It ended. Then",
            &["It", "ended", ".", "Then"],
        ),
        (
            "number_abbrev",
            "No. 1 and no more.",
            &["No.", "1", "and", "no", "more", "."],
        ),
        (
            "quotes",
            "“Yes,” he said.",
            &["“", "Yes", ",", "”", "he", "said", "."],
        ),
        ("brackets", "(Reuters) -", &["(", "Reuters", ")", "-"]),
        (
            "dashes_ellipsis",
            "so -- well...",
            &["so", "--", "well", "..."],
        ),
        (
            "url",
            "see https://example.com/a?b=1.",
            &["see", "https://example.com/a?b=1", "."],
        ),
        (
            "email",
            "mail jane.doe@example.com,",
            &["mail", "jane.doe@example.com", ","],
        ),
        ("hashtag_handle", "#news @reuters", &["#news", "@reuters"]),
        (
            "pound_sign_before_number",
            "profit of #18.49 million (#8)",
            &["profit", "of", "#", "18.49", "million", "(", "#", "8", ")"],
        ),
        ("ampersand_name", "AT&T and S&P", &["AT&T", "and", "S&P"]),
        (
            "domain",
            "on abcnews.com today",
            &["on", "abcnews.com", "today"],
        ),
        ("decade", "the '90s", &["the", "'90s"]),
        (
            "non_ascii",
            "Zürich café, 東京",
            &["Zürich", "café", ",", "東京"],
        ),
    ];
    for (name, text, want) in cases {
        assert_eq!(&token_texts(text), want, "case {name}");
    }
}

#[test]
fn sentences() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "plain",
            "Rain fell. Crops grew.",
            &["Rain fell.", "Crops grew."],
        ),
        (
            "title_abbrev",
            "Dr. Lee met Gov. Ruiz. They spoke.",
            &["Dr. Lee met Gov. Ruiz.", "They spoke."],
        ),
        (
            "company_final",
            "He joined Globex Corp. Sales then doubled.",
            &["He joined Globex Corp.", "Sales then doubled."],
        ),
        (
            "company_mid",
            "Globex Corp. Chairman Ann Wu resigned.",
            &["Globex Corp. Chairman Ann Wu resigned."],
        ),
        (
            "us_mid",
            "The U.S. Navy sailed.",
            &["The U.S. Navy sailed."],
        ),
        (
            "us_final",
            "It grew in the U.S. But not abroad.",
            &["It grew in the U.S.", "But not abroad."],
        ),
        (
            "time_mid",
            "At 9 a.m. Monday it opened.",
            &["At 9 a.m. Monday it opened."],
        ),
        (
            "decimal_money",
            "It cost $4.50. Nobody paid.",
            &["It cost $4.50.", "Nobody paid."],
        ),
        (
            "quote_closes",
            "“We won.” The crowd cheered.",
            &["“We won.”", "The crowd cheered."],
        ),
        (
            "quote_continues",
            "“We won!” she shouted.",
            &["“We won!” she shouted."],
        ),
        (
            "paren_sentence",
            "Prices fell. (Oil did not.) Gold rose.",
            &["Prices fell.", "(Oil did not.)", "Gold rose."],
        ),
        (
            "question_exclaim",
            "Why? Because! Fine.",
            &["Why?", "Because!", "Fine."],
        ),
        (
            "lowercase_after_stop",
            "Visit Yahoo! for news.",
            &["Visit Yahoo! for news."],
        ),
        (
            "number_starts",
            "Sales fell in May. 2023 was better.",
            &["Sales fell in May.", "2023 was better."],
        ),
        (
            "initial_name",
            "By J.K. Rowling and T. S. Eliot.",
            &["By J.K. Rowling and T. S. Eliot."],
        ),
        (
            "spaced_ellipsis",
            "He paused . . . then left.",
            &["He paused . . . then left."],
        ),
        (
            "numbered_list",
            "1. Buy milk 2. Call Ann 3. Rest",
            &["1. Buy milk", "2. Call Ann", "3. Rest"],
        ),
        (
            "heading_colon",
            "MARKETS: Stocks rose.",
            &["MARKETS:", "Stocks rose."],
        ),
        (
            "speaker_label",
            "Back to you. Reporter: The town is quiet.",
            &["Back to you.", "Reporter:", "The town is quiet."],
        ),
        (
            "source_colon_stays",
            "Source: Acme Research.",
            &["Source: Acme Research."],
        ),
        (
            "headline_line",
            "Storm Hits Coast\nWinds rose. Roads closed.",
            &["Storm Hits Coast", "Winds rose.", "Roads closed."],
        ),
        ("crlf", "One.\r\nTwo.", &["One.", "Two."]),
    ];
    for (name, text, want) in cases {
        assert_eq!(&sentence_texts(text), want, "case {name}");
    }
}

#[test]
fn blocks_kinds() {
    let page = "& siteName &\n\
                Council Votes to Rebuild the Old Bridge\n\
                By Maria Lopez\n\
                The city council voted on Tuesday to rebuild the old river bridge, ending a debate that had run for more than three years and divided the town.\n\
                Engineers said the work would start in the spring and take about eighteen months, with one lane open to traffic for most of that time.\n\
                The mayor, who had argued for a new crossing further north, said she accepted the result and would help to find the money for it.\n\
                3 Comments\n\
                Great news for the town, I have waited years for this to happen.\n\
                Share | Print | Email\n";
    let b = blocks(page);
    let kinds: Vec<BlockKind> = b.iter().map(|b| b.kind).collect();
    assert_eq!(b[0].reason, Some(BoilerplateReason::Template));
    assert_eq!(kinds[1], BlockKind::Title);
    assert_eq!(kinds[2], BlockKind::Byline);
    assert!(
        kinds[3..6].iter().all(|&k| k == BlockKind::Paragraph),
        "{kinds:?}"
    );
    assert!(
        kinds[6..].iter().all(|&k| k == BlockKind::Boilerplate),
        "{kinds:?}"
    );
    assert_eq!(b[6].reason, Some(BoilerplateReason::Comments));
    assert_eq!(b[7].reason, Some(BoilerplateReason::Comments));
}

#[test]
fn clean_article_is_kept_whole() {
    let text = "City Council Approves New Budget After Long Debate\n\n\
                By Daniel Okafor\nMarch 3, 2025\n\n\
                The city council approved a $412 million budget on Monday night after a debate that ran past midnight, ending weeks of argument over police and library funding.\n\n\
                The vote was 7 to 2.\n\n\
                Council member Rosa Jimenez, who voted against the plan, said the cuts to branch libraries would hurt families in the east of the city. \"We are closing the doors that matter most,\" she said.\n\n\
                Mayor Tom Brandt defended the budget.\n\n\
                The budget takes effect on July 1. A public hearing on the library plan is set for April.\n";
    let kinds: Vec<BlockKind> = blocks(text).iter().map(|b| b.kind).collect();
    assert_eq!(
        kinds,
        [
            BlockKind::Title,
            BlockKind::Byline,
            BlockKind::Byline,
            BlockKind::Paragraph,
            BlockKind::Paragraph,
            BlockKind::Paragraph,
            BlockKind::Paragraph,
            BlockKind::Paragraph,
        ]
    );
}

/// A sentence that ends on an abbreviation gives its full stop to the
/// sentence, as OntoNotes does (`Inc` `.`); inside a sentence the
/// abbreviation keeps it.
#[test]
fn sentence_final_abbreviation_stop() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "company_then_sentence",
            "He works at Acme Inc. The firm grew.",
            &[
                "He", "works", "at", "Acme", "Inc", ".", "The", "firm", "grew", ".",
            ],
        ),
        (
            "state_at_block_end",
            "Jane Roe\nBeverly Hills, Calif.\n",
            &["Jane", "Roe", "Beverly", "Hills", ",", "Calif", "."],
        ),
        (
            "us_keeps_its_stop",
            "It sold well in the U.S. The price rose.",
            &[
                "It", "sold", "well", "in", "the", "U.S.", "The", "price", "rose", ".",
            ],
        ),
        (
            "inside_a_sentence",
            "Acme Inc. said the U.S. economy grew.",
            &[
                "Acme", "Inc.", "said", "the", "U.S.", "economy", "grew", ".",
            ],
        ),
        (
            "before_a_closing_quote",
            "\u{201C}We sold it to Acme Corp.\u{201D} She left.",
            &[
                "\u{201C}", "We", "sold", "it", "to", "Acme", "Corp", ".", "\u{201D}", "She",
                "left", ".",
            ],
        ),
    ];
    for (name, text, want) in cases {
        let seg = segment(text);
        let got: Vec<&str> = seg.tokens.iter().map(|t| t.slice(text)).collect();
        assert_eq!(&got, want, "case {name}");
        // Sentences still cover their tokens exactly.
        for t in &seg.tokens {
            assert!(
                seg.sentences
                    .iter()
                    .any(|s| s.start <= t.start && t.end <= s.end),
                "case {name}: token {t:?} outside every sentence"
            );
        }
        let (sentences, tokens) = sentences_and_tokens(text);
        assert_eq!(tokens, seg.tokens, "case {name}: sentences_and_tokens");
        assert_eq!(sentences, seg.sentences, "case {name}");
    }
}

/// Lines in lower case or ALL CAPS: abbreviations and initials keep their
/// stops as in running text (the word lists read capitalised), and in lower
/// case a full stop ends a sentence before a small letter; a line with
/// ordinary case is read as before.
#[test]
fn caseless_lines() {
    let cases: &[(&str, &str, &[&str], &[&str])] = &[
        (
            "lower_abbreviations",
            "mr. lee of acme inc. met sen. jo in calif. on oct. 5. the talks went well.",
            &[
                "mr.", "lee", "of", "acme", "inc.", "met", "sen.", "jo", "in", "calif.", "on",
                "oct.", "5", ".", "the", "talks", "went", "well", ".",
            ],
            &[
                "mr. lee of acme inc. met sen. jo in calif. on oct. 5.",
                "the talks went well.",
            ],
        ),
        (
            "lower_initial_ampersand_us",
            "j. smith bought s&p funds in the u.s. it rose.",
            &[
                "j.", "smith", "bought", "s&p", "funds", "in", "the", "u.s.", "it", "rose", ".",
            ],
            &["j. smith bought s&p funds in the u.s.", "it rose."],
        ),
        (
            "lower_currency_prefix",
            "it cost us$5 million.",
            &["it", "cost", "us$", "5", "million", "."],
            &["it cost us$5 million."],
        ),
        (
            "lower_exclamation_goes_on",
            "\"great!\" she said. then she left.",
            &[
                "\"", "great", "!", "\"", "she", "said", ".", "then", "she", "left", ".",
            ],
            &["\"great!\" she said.", "then she left."],
        ),
        (
            "upper_abbreviations",
            "SHARES OF ACME CORP. ROSE IN CALIF. THE FIRM GREW.",
            &[
                "SHARES", "OF", "ACME", "CORP.", "ROSE", "IN", "CALIF", ".", "THE", "FIRM", "GREW",
                ".",
            ],
            &["SHARES OF ACME CORP. ROSE IN CALIF.", "THE FIRM GREW."],
        ),
        (
            "usual_case_unchanged",
            "The word mr. is short. Then acme inc. came.",
            &[
                "The", "word", "mr", ".", "is", "short", ".", "Then", "acme", "inc", ".", "came",
                ".",
            ],
            &["The word mr. is short.", "Then acme inc. came."],
        ),
    ];
    for (name, text, tokens, sentences) in cases {
        let seg = segment(text);
        let got: Vec<&str> = seg.tokens.iter().map(|t| t.slice(text)).collect();
        assert_eq!(&got, tokens, "case {name}: tokens");
        assert_eq!(&sentence_texts(text), sentences, "case {name}: sentences");
    }
}

#[test]
fn blank_and_empty_inputs() {
    for text in ["", " ", "\n\n", "\r\n\t \u{a0}\n"] {
        let seg = segment(text);
        assert!(
            seg.blocks.is_empty() && seg.sentences.is_empty() && seg.tokens.is_empty(),
            "{text:?}"
        );
    }
}

/// Passed cases and the names of the failed ones in `../shared/data/sbd/FILE`,
/// or `None` without `../shared`.
fn run_rule_file(name: &str) -> Option<(usize, Vec<String>)> {
    let shared = shared_for_test(&format!("segment_cases, {name}"))?;
    let cases = read_rule_cases(&shared.join("data/sbd").join(name)).unwrap();
    let outcomes = rule_cases(&cases);
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.passed())
        .map(|o| o.name.clone())
        .collect();
    Some((outcomes.len() - failed.len(), failed))
}

#[test]
fn golden_rules_at_least_47_of_48() {
    let Some((passed, failed)) = run_rule_file("golden_rules_en.jsonl") else {
        return;
    };
    assert!(passed >= 47, "{passed}/48, failed: {failed:?}");
}

#[test]
fn news_cases_at_least_22_of_24() {
    let Some((passed, failed)) = run_rule_file("news_cases_en.jsonl") else {
        return;
    };
    assert!(passed >= 22, "{passed}/24, failed: {failed:?}");
}
