package chatstack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventschemas"
	"github.com/aws/jsii-runtime-go"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/eventbus"
)

// eventSchemas publishes the schema of every chat event in an EventBridge
// schema registry beside the bus, so a team writing a rule or a consumer
// finds the detail's fields (and can generate code bindings) in the console
// instead of reading our source. The schemas are generated from the Go
// detail types the stream function publishes (internal/eventbus), so they
// cannot drift from what is sent. Custom registries and their schemas are
// free; only schema discovery, which this does not turn on, bills.
func (b *builder) eventSchemas() {
	registry := awseventschemas.NewCfnRegistry(b.stack, jsii.String("EventSchemaRegistry"), &awseventschemas.CfnRegistryProps{
		RegistryName: jsii.String(b.eventBusName()),
		Description:  jsii.String("Schemas of the Backchannel chat events on bus " + b.eventBusName() + " (docs/EVENTS.md)"),
	})
	for _, t := range chat.EventTypes {
		content, err := eventbus.Schema(t)
		if err != nil {
			panic(err) // a detail type missing is a bug the eventbus tests catch first
		}
		schema := awseventschemas.NewCfnSchema(b.stack, jsii.String("EventSchema-"+schemaID(t)), &awseventschemas.CfnSchemaProps{
			RegistryName: registry.AttrRegistryName(),
			SchemaName:   jsii.String(eventbus.SchemaName(t)),
			Type:         jsii.String("JSONSchemaDraft4"),
			Content:      jsii.String(string(content)),
			Description:  jsii.String("Backchannel " + string(t) + " event"),
		})
		schema.AddDependency(registry)
	}
}

// schemaID turns "message.created" into "MessageCreated" for a construct id.
func schemaID(t chat.EventType) string {
	out := make([]byte, 0, len(t))
	upper := true
	for _, c := range []byte(t) {
		if c == '.' {
			upper = true
			continue
		}
		if upper && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		upper = false
		out = append(out, c)
	}
	return string(out)
}
