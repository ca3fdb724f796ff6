"""Every value type the service takes and gives, in one public module.

The dashboard (pages/, ui/), the REST API, the CLI, the scheduler and the
workers exchange these with `core.service` and import them from here only;
the store and the adapters use the same types from here too. Together with
`core.models` (the domain records), `core.errors` and `core.settings` they are
core's public surface (tests/test_import_rules.py keeps the list).

- resources: connections in and out, status cards, check and import reports;
- queries: log filters, KPI and volume rows, pages, export formats;
- systems: each system's declaration (form fields, entity support);
- runs: what workers and the scheduler exchange about runs;
- access: API keys and the authenticated caller;
- webhooks: inbound vendor notifications and their set-up;
- alerts: alert transitions and the thresholds in force;
- issues: per-record failures grouped by cause;
- notifications: notification channels in and out;
- status: the processes' health (scheduler, workers, queue, open alerts).
"""

from core.schemas.access import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    Caller,
    SessionCreate,
    SessionIssued,
    SessionPublic,
    UserCreate,
    UserPublic,
)
from core.schemas.alerts import AlertTransition, EffectiveThresholds, Transition
from core.schemas.issues import IssueGroup
from core.schemas.notifications import ChannelCreate, ChannelPublic
from core.schemas.queries import (
    Bucket,
    CountRow,
    ErrorGroup,
    ExportFormat,
    KpiGroup,
    KpiRow,
    LogFilter,
    Page,
    VolumeRow,
)
from core.schemas.resources import (
    CheckResult,
    ConnectionCreate,
    ConnectionDetail,
    ConnectionPublic,
    ConnectionStatusView,
    ConnectionUpdate,
    DemoReport,
    EntityState,
    Health,
    ImportReport,
    LineProblem,
    RotationReport,
    SecretInput,
)
from core.schemas.runs import HeartbeatAck, RunOutcome, RunUsage, ScheduledConnection
from core.schemas.status import SchedulerView, SystemStatus, VendorBudgetView, WorkerView
from core.schemas.systems import (
    EntitySupport,
    FieldKind,
    FormField,
    SignInMethod,
    SystemInfo,
    VendorField,
)
from core.schemas.webhooks import (
    InboundWebhook,
    WebhookEndpoint,
    WebhookReceipt,
    WebhookSetup,
)

__all__ = [
    "AlertTransition",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyPublic",
    "Bucket",
    "Caller",
    "ChannelCreate",
    "ChannelPublic",
    "CheckResult",
    "ConnectionCreate",
    "ConnectionDetail",
    "ConnectionPublic",
    "ConnectionStatusView",
    "ConnectionUpdate",
    "CountRow",
    "DemoReport",
    "EffectiveThresholds",
    "EntityState",
    "EntitySupport",
    "ErrorGroup",
    "ExportFormat",
    "FieldKind",
    "FormField",
    "Health",
    "HeartbeatAck",
    "ImportReport",
    "InboundWebhook",
    "IssueGroup",
    "KpiGroup",
    "KpiRow",
    "LineProblem",
    "LogFilter",
    "Page",
    "RotationReport",
    "RunOutcome",
    "RunUsage",
    "ScheduledConnection",
    "SchedulerView",
    "SecretInput",
    "SessionCreate",
    "SessionIssued",
    "SessionPublic",
    "SignInMethod",
    "SystemInfo",
    "SystemStatus",
    "Transition",
    "UserCreate",
    "UserPublic",
    "VendorBudgetView",
    "VendorField",
    "VolumeRow",
    "WebhookEndpoint",
    "WebhookReceipt",
    "WebhookSetup",
    "WorkerView",
]
