/**
 * The DynamoDB operations PMO Pulse performs, as IAM actions. The managed policy in
 * infra/template.yaml grants these and nothing else; tests/infra/template.test.ts checks that
 * every command the code sends is in this list.
 */
export const DYNAMODB_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:Query",
  "dynamodb:Scan",
  "dynamodb:BatchGetItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:DescribeTable",
  "dynamodb:DescribeTimeToLive",
] as const;

export type DynamoDbAction = (typeof DYNAMODB_ACTIONS)[number];

/** The only operations that can target a global secondary index. */
export const INDEX_ACTIONS = ["dynamodb:Query", "dynamodb:Scan"] as const satisfies readonly DynamoDbAction[];
