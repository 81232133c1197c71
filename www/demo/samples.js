// Built-in sample articles. Both are invented stories written for newsmark:
// the people, companies and events in them do not exist.

/** A plain news story: people (with name variants), companies, places, dates, money. */
const NEWS = `Tallis Motors to build $1.2 billion battery plant in Ohio
By Jonah Whitfield
June 9, 2026

COLUMBUS, Ohio — Tallis Motors said on Monday that it would spend $1.2 billion on a battery plant outside Columbus, its largest investment in the United States since the company was founded in 2011.

The chief executive, Margaret (Peggy) Alvarez, announced the plan at the Ohio Statehouse alongside Governor Daniel Reyes. "We looked at sites in Texas and Michigan, but Ohio offered the workers we need," Ms Alvarez said.

Peggy Alvarez joined Tallis from Kovac Industries in 2019. Analysts at Brennan & Hale said the plant could make batteries for 400,000 cars a year by 2029.

Tallis's shares rose 4 percent in New York trading. The company expects about 2,500 jobs at the site, and Alvarez said hiring would begin in September.

Reyes said the state would offer $150 million in tax credits over ten years. Kovac Industries, which also makes batteries, declined to comment.`;

/** A story as copied from a web page, with navigation, teasers, comments and a footer around it. */
const WEBPAGE = `Home | Business | Energy | Climate | Sign in | Subscribe

Harbor Lights Power wins $48 million tidal contract in Maine
By Miriam Okafor, Staff Writer
March 4, 2026

PORTLAND, Maine — Harbor Lights Power Inc. said on Tuesday that it had won a $48 million contract from the Maine Department of Energy to build a tidal generator near Casco Bay, the first of its kind in New England.

Chief executive Daniel Whitcombe told reporters at the company's headquarters on Commercial Street that construction would begin in April and employ about 120 workers. "We expect the first turbine to turn by October 2027," he said.

The plan drew criticism from the Gulf of Maine Fishermen's Alliance, whose director, Rosa Delgado, said the state had approved it in just three weeks. Governor Ellen Marsh defended the decision at a press conference in Augusta on Wednesday afternoon.

Shares of Harbor Lights rose 6 percent on the Nasdaq, their biggest gain since the company bought the Norwegian firm Fjordkraft Marine for €210 million in 2023.

Read more
Five things to know about tidal energy
Why lobster prices keep climbing
Ten photos from the coast this week

Comments (3)
seaview_77 · 2 hours ago
Finally some good news for the coast. Reply
mkpatel · 1 hour ago
Who pays when the turbine breaks? Reply

Share on Facebook | Share on X | Email this story
About us | Contact | Privacy policy | Terms of use
© 2026 The Coastline Ledger. All rights reserved.`;

/** The samples, by the key used in the URL hash. */
export const SAMPLES = {
  news: { title: "News story", text: NEWS },
  webpage: { title: "Web page with boilerplate", text: WEBPAGE },
};
