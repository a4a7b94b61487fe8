package chatstack

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
)

// functionSpec describes one Go Lambda (functions/<name>).
type functionSpec struct {
	name        string
	memoryMB    float64
	timeout     float64 // seconds
	description string
}

// functionSpecs are the deployed functions. To add functions/thumbnail:
// append {"thumbnail", 512, 60, ...} here, then in grants() give it read on
// uploads and write on thumbnails, and subscribe it to the files bucket's
// object-created events (awss3notifications.NewLambdaDestination).
var functionSpecs = []functionSpec{
	{"authorizer", 128, 10, "$connect authorizer: verifies the Cognito ID token"},
	{"connection", 256, 10, "$connect and $disconnect: records and removes connections"},
	{"actions", 256, 29, "Every action route and $default (29 s is API Gateway's integration limit)"},
}

// FunctionNames lists the functions the stack deploys.
func FunctionNames() []string {
	names := make([]string, len(functionSpecs))
	for i, s := range functionSpecs {
		names[i] = s.name
	}
	return names
}

// functions creates every function with its own role and log group, then
// grants each exactly what its code does.
func (b *builder) functions() {
	env := map[string]*string{
		"TABLE_NAME":        b.table.TableName(),
		"FILES_BUCKET":      b.filesBucket.BucketName(),
		"WS_CALLBACK_URL":   b.stage.CallbackUrl(),
		"COGNITO_ISSUER":    jsii.String(b.cognitoIssuer()),
		"COGNITO_CLIENT_ID": b.client.UserPoolClientId(),
		"LOG_LEVEL":         jsii.String(b.props.LogLevel),
	}
	tracing := awslambda.Tracing_DISABLED
	if b.props.Tracing {
		tracing = awslambda.Tracing_ACTIVE
	}
	b.fns = map[string]awslambda.Function{}
	for _, spec := range functionSpecs {
		path, err := FunctionAssetPath(b.props.AssetDir, spec.name)
		if err != nil {
			panic(err) // Validate checked every asset before the build started
		}
		id := titleCase(spec.name)
		logGroup := b.newLogGroup(id + "Logs")
		// An explicit role instead of CDK's default, which attaches the
		// managed AWSLambdaBasicExecutionRole (logs on every log group).
		role := awsiam.NewRole(b.stack, jsii.String(id+"Role"), &awsiam.RoleProps{
			AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
			Description: jsii.String("Execution role of the " + spec.name + " function"),
		})
		logGroup.GrantWrite(role)
		b.fns[spec.name] = awslambda.NewFunction(b.stack, jsii.String(id+"Function"), &awslambda.FunctionProps{
			Description:  jsii.String(spec.description),
			Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
			Architecture: awslambda.Architecture_ARM_64(),
			Handler:      jsii.String("bootstrap"),
			Code:         awslambda.Code_FromAsset(jsii.String(path), nil),
			MemorySize:   jsii.Number(spec.memoryMB),
			Timeout:      awscdk.Duration_Seconds(jsii.Number(spec.timeout)),
			Role:         role,
			LogGroup:     logGroup,
			Environment:  &env,
			Tracing:      tracing,
		})
	}
	b.grants()
}

// grants: the authorizer gets nothing beyond its logs (it only fetches the
// pool's public JWKS over HTTPS).
func (b *builder) grants() {
	conn, actions := b.fns["connection"], b.fns["actions"]

	b.table.GrantReadWriteData(conn)
	b.stage.GrantManagementApiAccess(conn) // presence fan-out and 410 cleanup

	b.table.GrantReadWriteData(actions)
	b.stage.GrantManagementApiAccess(actions)
	// A presigned URL carries the signer's permissions: the actions function
	// presigns uploads (PUT) and downloads (GET) of room files, so its role
	// needs exactly those two actions on the bucket's objects.
	actions.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:PutObject", "s3:GetObject"),
		Resources: jsii.Strings(*b.filesBucket.ArnForObjects(jsii.String("*"))),
	}))
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
