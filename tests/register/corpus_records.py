"""Every register record in the sample corpus, counted by hand from the five papers:
(doc_id, kind, paragraph label, owners, due, text as printed). 13 in all."""

SURREY_2021 = "surrey-cfllc-2021-childrens-improvement-update-minutes"
RECORD_2018 = "surrey-ces-performance-reference-group-2018-02-06"
REPORT = "surrey-cfllc-2020-07-28-childrens-improvement-update"
BOARD_2016 = "surrey-scrutiny-board-2016-interim-head-childrens-services-minutes"
WEST_SUSSEX = "west-sussex-2020-children-first-improvement-minutes"

FILES = {SURREY_2021: f"{SURREY_2021}.txt", RECORD_2018: f"{RECORD_2018}.md",
         REPORT: f"{REPORT}.md", BOARD_2016: f"{BOARD_2016}.txt", WEST_SUSSEX: f"{WEST_SUSSEX}.txt"}

EXPECTED = [
    # 2021 minutes, heading "Resolved": three resolutions, each naming its owner.
    (SURREY_2021, "resolution", "Resolved 1", ["Director of Corporate Parenting"], None,
     ("That the Director of Corporate Parenting share the findings of the review of the Children "
      "with Disabilities Service with the Chairman of the Select Committee for circulation to "
      "Committee members.")),
    (SURREY_2021, "resolution", "Resolved 2", ["Director of Family Resilience and Safeguarding"],
     None,
     ("That the Director of Family Resilience and Safeguarding share the findings of the review "
      "of the Family Safeguarding Model with the Chairman of the Select Committee for "
      "circulation to Committee members.")),
    (SURREY_2021, "resolution", "Resolved 3", ["Cabinet Member for Children and Families"],
     "the Select Committee’s first meeting of 2022",
     ("That the Cabinet Member for Children and Families provide an update on the Children’s "
      "Improvement Programme at the Select Committee’s first meeting of 2022.")),
    # 2018 record, heading "RECOMMENDATIONS/ACTIONS": three recommendations.
    (RECORD_2018, "recommendation", "Recommendations 1", [], None,
     ("That the more detailed feedback given by staff is shared with Reference Group and regular "
      "updates provided on the impact of actions being taken in response")),
    (RECORD_2018, "recommendation", "Recommendations 2",
     ["Select Committee", "Children, Schools and Families Directorate"], None,
     ("That the Performance Member Reference Group recommends that the Select Committee and the "
      "Children, Schools and Families Directorate identify ways to test the culture and "
      "communications within the Directorate")),
    (RECORD_2018, "recommendation", "Recommendations 3",
     ["Chairman of the Children and Education Select Committee",
      "Chairman of the Children's Improvement Board",
      "Chairman of the Surrey Safeguarding Children's Board"], None,
     ("That the Chairman of the Children and Education Select Committee, Chairman of the "
      "Children's Improvement Board, Chairman of the Surrey Safeguarding Children's Board to work "
      "to improve lines of communication between the bodies.")),
    # 2020 report, heading "Recommendations": 48 names no one (the Select Committee notes).
    (REPORT, "recommendation", "48", [], None,
     ("The Select Committee notes the overall findings and feedback from the recent quality "
      "assurance activity included in this report and the impact on frontline children's services "
      "resulting from delivery of the Children's Improvement Plan.")),
    (REPORT, "recommendation", "49", [], "the September 2020 meeting",
     ("The Select Committee receives a further report at the September 2020 meeting – to include "
      "an update on the children's improvement programme and the next steps for the "
      "re-inspection of Surrey's children's services by Ofsted.")),
    # 2016 Board minutes: one recommendation and one further-information item.
    (BOARD_2016, "recommendation", "Recommendations", ["Head of Children’s Services"],
     "the Board’s October meeting",
     ("That the Head of Children’s Services report on the progress made on the areas he has "
      "identified for improvement using the new key performance data and audit information at the "
      "Board’s October meeting.")),
    (BOARD_2016, "further_information", "Further information to be provided",
     ["Head of Children’s Services"], None,
     ("That the Head of Children’s Services provides the KPIs to be used by Children’s Services "
      "to the Board.")),
    # West Sussex minute 12: two ACTIONs inside 12.3, and the resolution 12.4 (no owner).
    (WEST_SUSSEX, "action", "12.3", ["Lucy Butler"], None,
     ("Lucy Butler to provide the Committee with the number of agency workers in the Looked "
      "After Children service")),
    (WEST_SUSSEX, "action", "12.3", ["Sally Allen"], None,
     "Sally Allen to provide relevant data to the Committee"),
    (WEST_SUSSEX, "resolution", "12.4", [], None,
     ("Resolved – that the Committee is satisfied with the direction of travel and progress "
      "being made on the Children First improvement journey.")),
]

COUNTS_BY_PAPER = {SURREY_2021: 3, RECORD_2018: 3, REPORT: 2, BOARD_2016: 2, WEST_SUSSEX: 3}
COUNTS_BY_KIND = {"resolution": 4, "recommendation": 6, "action": 2, "further_information": 1}
DATED = {RECORD_2018: "2018-02-06", REPORT: "2020-07-28"}
