import { physicalTableName, type TableSpec } from "../services/store/tables.ts";
import { DYNAMODB_ACTIONS } from "./iam-actions.ts";

/**
 * Optional CloudWatch alarms on every table (parameter AlarmsEnabled, off by default): requests
 * throttled and DynamoDB's own errors (HTTP 5xx). Both metrics are published per table AND
 * operation, so each alarm sums the operations the app performs (metric math, at most 10 metrics).
 */

export const ALARMS_PARAMETER = "AlarmsEnabled";
export const ALARM_TOPIC_PARAMETER = "AlarmTopicArn";
/** The condition every alarm carries: AlarmsEnabled is "true". */
export const ALARMS_ON = "AlarmsOn";
/** AlarmsOn and a topic given: the alarms notify it. */
export const ALARMS_NOTIFY = "AlarmsNotify";

/** The data-plane operations the app sends (its IAM actions without the Describe* ones). */
export const ALARMED_OPERATIONS = DYNAMODB_ACTIONS.map((action) => action.replace(/^dynamodb:/, "")).filter(
  (operation) => !operation.startsWith("Describe"),
);

const PERIOD_SECONDS = 300;
const MAX_ALARM_METRICS = 10;

type AlarmKind = {
  /** Appended to the table's logical id (`ProjectsTable` + `ThrottlesAlarm`). */
  suffix: string;
  metricName: "ThrottledRequests" | "SystemErrors";
  /** Appended to the physical table name to name the alarm. */
  nameSuffix: string;
  description: string;
  evaluationPeriods: number;
  datapointsToAlarm: number;
};

const KINDS: readonly AlarmKind[] = [
  {
    suffix: "ThrottlesAlarm",
    metricName: "ThrottledRequests",
    nameSuffix: "throttled-requests",
    description:
      "requests throttled in 5 minutes: an on-demand table throttles only past its account or partition limits; check pmo_dynamodb_throttled_total on /metrics for the operation",
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
  },
  {
    suffix: "SystemErrorsAlarm",
    metricName: "SystemErrors",
    nameSuffix: "system-errors",
    description:
      "DynamoDB answered HTTP 5xx in 2 of the last 3 five-minute periods (the SDK retries each; pmo_dynamodb_server_errors_total on /metrics counts them)",
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
  },
];

export function alarmParameters() {
  return {
    [ALARMS_PARAMETER]: {
      Type: "String",
      AllowedValues: ["true", "false"],
      Default: "false",
      Description: "true adds CloudWatch alarms on every table: throttled requests and system errors",
    },
    [ALARM_TOPIC_PARAMETER]: {
      Type: "String",
      Default: "",
      AllowedPattern: "^(arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+)?$",
      ConstraintDescription: "an SNS topic ARN, or empty",
      Description: "SNS topic the alarms notify (empty: the alarms only show in CloudWatch)",
    },
  };
}

export function alarmConditions() {
  return {
    [ALARMS_ON]: { "Fn::Equals": [{ Ref: ALARMS_PARAMETER }, "true"] },
    [ALARMS_NOTIFY]: {
      "Fn::And": [
        { Condition: ALARMS_ON },
        { "Fn::Not": [{ "Fn::Equals": [{ Ref: ALARM_TOPIC_PARAMETER }, ""] }] },
      ],
    },
  };
}

/** The two alarms of one table, by logical id. */
export function tableAlarms(spec: TableSpec, tableLogicalId: string): Record<string, unknown> {
  if (ALARMED_OPERATIONS.length + 1 > MAX_ALARM_METRICS) {
    throw new Error(`an alarm sums at most ${MAX_ALARM_METRICS - 1} operations`);
  }
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub placeholders, which CloudFormation fills in at deploy time
  const tableName = physicalTableName(spec.name, { tablePrefix: "${TablePrefix}", env: "${Environment}" });
  // A new object each time: the YAML writer turns a shared one into an alias, which CloudFormation refuses.
  const actions = () => ({
    "Fn::If": [ALARMS_NOTIFY, [{ Ref: ALARM_TOPIC_PARAMETER }], { Ref: "AWS::NoValue" }],
  });
  const alarms: Record<string, unknown> = {};
  for (const kind of KINDS) {
    const metrics = ALARMED_OPERATIONS.map((operation) => ({
      Id: operation.toLowerCase(),
      MetricStat: {
        Metric: {
          Namespace: "AWS/DynamoDB",
          MetricName: kind.metricName,
          Dimensions: [
            { Name: "TableName", Value: { Ref: tableLogicalId } },
            { Name: "Operation", Value: operation },
          ],
        },
        Period: PERIOD_SECONDS,
        Stat: "Sum",
      },
      ReturnData: false,
    }));
    alarms[`${tableLogicalId}${kind.suffix}`] = {
      Type: "AWS::CloudWatch::Alarm",
      Condition: ALARMS_ON,
      Properties: {
        AlarmName: { "Fn::Sub": `${tableName}-${kind.nameSuffix}` },
        AlarmDescription: `PMO Pulse, table ${spec.name}: ${kind.description}`,
        ComparisonOperator: "GreaterThanThreshold",
        Threshold: 0,
        EvaluationPeriods: kind.evaluationPeriods,
        DatapointsToAlarm: kind.datapointsToAlarm,
        TreatMissingData: "notBreaching",
        AlarmActions: actions(),
        OKActions: actions(),
        Metrics: [
          {
            Id: "total",
            Label: `${kind.metricName}, all operations`,
            Expression: `SUM([${metrics.map((m) => m.Id).join(", ")}])`,
            ReturnData: true,
          },
          ...metrics,
        ],
      },
    };
  }
  return alarms;
}
