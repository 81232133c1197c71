//! The result of annotating a text: blocks, sentences, tokens and entities,
//! all as byte [`Span`]s into the input.

use crate::span::Span;
use serde::Serialize;

/// What a block of the input is.
///
/// ```
/// use newsmark::BlockKind;
///
/// let text = "Storm closes mountain pass\nThe road over the pass was closed on Monday after heavy snow fell overnight, the county said.";
/// let kinds: Vec<BlockKind> = newsmark::segment(text).blocks.iter().map(|b| b.kind).collect();
/// assert_eq!(kinds.len(), 2);
/// assert_eq!(kinds[1], BlockKind::Paragraph);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// The article's headline.
    Title,
    /// Author, date or dateline lines.
    Byline,
    /// Article body: paragraphs, subheads and quotes.
    Paragraph,
    /// Everything around the article that is not part of it.
    Boilerplate,
}

impl BlockKind {
    /// The name used in JSON and JavaScript (`"title"`, `"byline"`, ...).
    ///
    /// ```
    /// assert_eq!(newsmark::BlockKind::Byline.as_str(), "byline");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            BlockKind::Title => "title",
            BlockKind::Byline => "byline",
            BlockKind::Paragraph => "paragraph",
            BlockKind::Boilerplate => "boilerplate",
        }
    }
}

/// Why a block was judged to be boilerplate.
///
/// ```
/// use newsmark::BlockKind;
///
/// let page = "Home | News | Sport | Weather\nThe council approved the new budget on Tuesday after a long debate about school funding and roads.";
/// for block in newsmark::segment(page).blocks {
///     // `reason` is set exactly for boilerplate blocks.
///     assert_eq!(block.reason.is_some(), block.kind == BlockKind::Boilerplate);
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BoilerplateReason {
    /// A reader comment thread and its widgets.
    Comments,
    /// A run of headline-like teasers linking elsewhere.
    LinkList,
    /// Site navigation, menus, breadcrumbs.
    Navigation,
    /// Event or date listings.
    Listing,
    /// Copyright lines, social links, sign-up prompts.
    Footer,
    /// Unfilled template placeholders such as `& cplSiteName &`.
    Template,
    /// Judged boilerplate by its text and neighbours without a more specific reason.
    Other,
}

impl BoilerplateReason {
    /// The name used in JSON and JavaScript (`"comments"`, `"link_list"`, ...).
    ///
    /// ```
    /// assert_eq!(newsmark::BoilerplateReason::LinkList.as_str(), "link_list");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            BoilerplateReason::Comments => "comments",
            BoilerplateReason::LinkList => "link_list",
            BoilerplateReason::Navigation => "navigation",
            BoilerplateReason::Listing => "listing",
            BoilerplateReason::Footer => "footer",
            BoilerplateReason::Template => "template",
            BoilerplateReason::Other => "other",
        }
    }
}

/// A block of text: a line or a paragraph of the input.
///
/// ```
/// let text = "  First line.  \n\nSecond line.";
/// let blocks = newsmark::segment(text).blocks;
/// let lines: Vec<&str> = blocks.iter().map(|b| b.span.slice(text)).collect();
/// assert_eq!(lines, ["First line.", "Second line."]);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Block {
    /// Where the block is, without its surrounding line breaks.
    pub span: Span,
    /// What the block is.
    pub kind: BlockKind,
    /// Set exactly when `kind` is [`BlockKind::Boilerplate`].
    pub reason: Option<BoilerplateReason>,
}

/// A named entity found in the text.
///
/// ```
/// let text = "Maria Silva works for Petrobras.";
/// for e in newsmark::Annotator::new().annotate(text).entities {
///     assert!((0.0..=1.0).contains(&e.score));
///     println!("{} {} ({:.2})", e.label, e.span.slice(text), e.score);
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entity {
    /// Where the entity is; it starts and ends on token boundaries.
    pub span: Span,
    /// The entity type, one of the model's labels (e.g. `"PERSON"`, `"ORG"`).
    /// It is the model's, but for one case: a single word the model reads
    /// as an organisation is a person when it is also a word of a person's
    /// full name in the same text, and of no organisation's name of two or
    /// more words there (`Noem` after `Kristi Noem`; see
    /// [`Document::clusters`]: the two are one cluster).
    pub label: &'static str,
    /// The probability the model gives exactly this span with this label, in
    /// `[0, 1]` (for a surname relabelled as above, with the label the
    /// model gave it).
    pub score: f32,
}

/// Entities of one text that name the same thing: a person, an
/// organisation, a place, ... (see [`Document::clusters`]).
///
/// ```
/// let text = "Peggy Alvarez met Luis Ortega. Alvarez said little.";
/// let doc = newsmark::Annotator::new().annotate(text);
/// for cluster in doc.clusters(text) {
///     let names: Vec<&str> = cluster
///         .mentions
///         .iter()
///         .map(|&i| doc.entities[i].span.slice(text))
///         .collect();
///     println!("{} {}: {names:?}", cluster.label, cluster.name.slice(text));
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cluster {
    /// The cluster's name: where its fullest mention is (most words, then
    /// the first), without a leading "the" or a possessive "'s".
    pub name: Span,
    /// The cluster's label: the most frequent label of its mentions.
    pub label: &'static str,
    /// Its mentions: indices into [`Document::entities`], in text order.
    pub mentions: Vec<usize>,
}

/// An annotated text. All spans are byte offsets into the annotated text,
/// sorted by position; blocks cover every non-blank line, sentences lie in
/// blocks, tokens lie in sentences, entities lie on token boundaries and do
/// not overlap.
///
/// ```
/// let text = "Talks resume in Geneva. Both sides expect progress.";
/// let doc = newsmark::Annotator::new().annotate(text);
/// assert_eq!(doc.sentences.len(), 2);
/// // Every token lies inside a sentence.
/// assert!(doc
///     .tokens
///     .iter()
///     .all(|t| doc.sentences.iter().any(|s| s.contains(t))));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Document {
    /// Lines and paragraphs, each with its kind.
    pub blocks: Vec<Block>,
    /// Sentences.
    pub sentences: Vec<Span>,
    /// Tokens (Penn-Treebank-like).
    pub tokens: Vec<Span>,
    /// Named entities.
    pub entities: Vec<Entity>,
}

impl Document {
    /// Groups the entities into clusters of the same person, organisation,
    /// place or other thing; `text` must be the text annotated.
    ///
    /// Every entity is in exactly one cluster; clusters come in the order
    /// of their first mention. Names are grouped by rules: case and spacing
    /// variants, "the" and possessives, people's titles, surnames, first
    /// names and nicknames in parentheses, acronyms and their expansions,
    /// short forms of longer names. Two different full names of people
    /// ("Margaret Alvarez", "Luis Alvarez") are never one cluster, and a
    /// bare "Alvarez" after both joins the one mentioned last before it.
    /// Names joined by a slash or "and" ("Tallis/Corvin") are never grouped
    /// with their parts. Values (dates, amounts, ...) are grouped only when
    /// their text and label are the same.
    ///
    /// The clusters are computed at each call, in time about linear in the
    /// number of entities (the 20,747 entities of OntoNotes dev's 542
    /// documents take 40 to 90 ms on a busy 2-core machine, against 4 s to
    /// find them).
    ///
    /// ```
    /// let text = "Margaret (Peggy) Alvarez runs Tallis Motors. Alvarez said \
    ///             Tallis would hire. Ms. Alvarez did not say when.";
    /// let doc = newsmark::Annotator::new().annotate(text);
    /// let clusters = doc.clusters(text);
    /// // Every entity is in exactly one cluster.
    /// let mut seen: Vec<usize> = clusters.iter().flat_map(|c| c.mentions.clone()).collect();
    /// seen.sort();
    /// assert_eq!(seen, (0..doc.entities.len()).collect::<Vec<_>>());
    /// for c in &clusters {
    ///     println!("{} {} x{}", c.label, c.name.slice(text), c.mentions.len());
    /// }
    /// ```
    pub fn clusters(&self, text: &str) -> Vec<Cluster> {
        crate::cluster::clusters(text, &self.entities)
    }
}
