package chat

// The policy's rows for customer support's bot first, hours and mail
// (supporthours.go):
//   - leaveSupportMessage: visitors only (a new conversation, no room yet).
//   - requestTranscript: visitors, in their own support conversation.
//   - handOverSupport: bots only, in a support room they are a member of
//     (added at startSupport as the widget's first responder); any other
//     room answers as for a non-member.
func init() {
	rules[ActLeaveSupportMessage] = rule{visitorOnly: true, verb: "leave support messages"}
	rules[ActRequestTranscript] = rule{room: true, support: true, visitorOnly: true, verb: "request transcripts"}
	rules[ActHandOverSupport] = rule{room: true, support: true, botOnly: true, verb: "hand over conversations"}
	botActions[ActHandOverSupport] = true
}
