//! Every registered server function checks permission: anonymous callers are refused, and for
//! each role a call succeeds past the guard exactly when the permission matrix says so.

use crate::common;

use app::api::PUBLIC_SERVER_FNS;
use app::error::AppError;
use app::model::access::{may, Permission, Role};
use common::web::{add_user, call, send, sign_in, state, PASSWORD};
use std::collections::BTreeSet;

/// Each guarded server function with a well-formed body and the permission it needs
/// (`None`: any signed-in user, for their own account).
const GUARDED: &[(&str, &str, Option<Permission>)] = &[
    ("/api/services/list", "params[q]=", Some(Permission::ServiceRead)),
    ("/api/services/get", "id=1", Some(Permission::ServiceRead)),
    ("/api/services/history", "id=1", Some(Permission::ServiceRead)),
    ("/api/dashboard/summary", "", Some(Permission::ServiceRead)),
    ("/api/compliance/overview", "", Some(Permission::ComplianceRead)),
    ("/api/compliance/clause", "number=8.5.1", Some(Permission::ComplianceRead)),
    ("/api/gap/list", "", Some(Permission::ComplianceRead)),
    ("/api/gap/sheet", "id=1", Some(Permission::ComplianceRead)),
    ("/api/gap/results", "id=1", Some(Permission::ComplianceRead)),
    ("/api/gap/open", "title=Probe+assessment", Some(Permission::GapAssess)),
    ("/api/gap/rating/save", "rating_id=1&version=1&rating=initial", Some(Permission::GapAssess)),
    ("/api/gap/evidence/add", "rating_id=1&kind=url&target=https%3A%2F%2Fexample.org&label=Probe", Some(Permission::GapAssess)),
    ("/api/gap/evidence/remove", "evidence_id=1", Some(Permission::GapAssess)),
    ("/api/gap/improvement", "rating_id=1&version=1", Some(Permission::GapAssess)),
    ("/api/gap/close", "id=1&version=1", Some(Permission::GapAssess)),
    ("/api/services/create", "form[name]=Probe&form[owner]=Probe+Owner&form[criticality]=low&form[status]=live", Some(Permission::ServiceCreate)),
    ("/api/services/update", "id=1&version=1&form[name]=Probe&form[owner]=Probe+Owner&form[criticality]=low&form[status]=live", Some(Permission::ServiceUpdate)),
    ("/api/services/archive", "id=1&version=1", Some(Permission::ServiceArchive)),
    ("/api/services/restore", "id=1&version=1", Some(Permission::ServiceArchive)),
    ("/api/changes/list", "params[q]=", Some(Permission::ChangeRead)),
    ("/api/changes/board", "", Some(Permission::ChangeRead)),
    ("/api/changes/get", "id=1", Some(Permission::ChangeRead)),
    ("/api/changes/history", "id=1", Some(Permission::ChangeRead)),
    ("/api/changes/choices", "", Some(Permission::ChangeRead)),
    ("/api/changes/edit_form", "id=1", Some(Permission::ChangeRaise)),
    ("/api/changes/create", "form[title]=Probe+change&form[change_type]=normal", Some(Permission::ChangeRaise)),
    ("/api/changes/update", "id=1&version=1&form[title]=Probe+change&form[change_type]=normal", Some(Permission::ChangeRaise)),
    ("/api/changes/transition", "id=1&version=1&action=submit", Some(Permission::ChangeTransition)),
    ("/api/changes/override_conflicts", "id=1&version=1&reason=Probe+reason+long+enough", Some(Permission::ScheduleManage)),
    ("/api/calendar/view", "params[view]=week", Some(Permission::ChangeRead)),
    ("/api/calendar/windows", "", Some(Permission::ChangeRead)),
    ("/api/calendar/window", "id=1", Some(Permission::ChangeRead)),
    ("/api/calendar/save_window", "form[kind]=blackout&form[name]=Probe&form[starts]=2026-12-01T00:00&form[ends]=2026-12-02T00:00", Some(Permission::ScheduleManage)),
    ("/api/calendar/delete_window", "id=1&version=1", Some(Permission::ScheduleManage)),
    ("/api/calendar/feed_status", "", Some(Permission::ChangeRead)),
    ("/api/calendar/create_feed", "", Some(Permission::ChangeRead)),
    ("/api/calendar/revoke_feed", "", Some(Permission::ChangeRead)),
    ("/api/filters/list", "list=changes", Some(Permission::ChangeRead)),
    ("/api/filters/save", "list=changes&name=Probe&query=state%3Ddraft", Some(Permission::ChangeRead)),
    ("/api/filters/delete", "list=changes&id=1", Some(Permission::ChangeRead)),
    ("/api/filters/list", "list=incidents", Some(Permission::IncidentRead)),
    ("/api/filters/save", "list=incidents&name=Probe&query=state%3Dall", Some(Permission::IncidentRead)),
    ("/api/filters/delete", "list=requests&id=1", Some(Permission::RequestRead)),
    ("/api/changes/templates", "", Some(Permission::ChangeRead)),
    ("/api/changes/create_template", "form[name]=Probe+template&form[implementation_plan]=a&form[test_plan]=b&form[backout_plan]=c", Some(Permission::TemplateManage)),
    ("/api/changes/update_template", "id=1&version=1&form[name]=Probe+template&form[implementation_plan]=a&form[test_plan]=b&form[backout_plan]=c", Some(Permission::TemplateManage)),
    ("/api/cab/overview", "", Some(Permission::ChangeRead)),
    ("/api/cab/board", "id=1", Some(Permission::ChangeRead)),
    ("/api/cab/create_board", "form[name]=Probe+board&form[kind]=cab&form[chair_id]=1&form[quorum_kind]=majority&form[time_zone]=UTC", Some(Permission::CabManage)),
    ("/api/cab/update_board", "id=1&version=1&form[name]=Probe+board&form[kind]=cab&form[chair_id]=1&form[quorum_kind]=majority&form[time_zone]=UTC", Some(Permission::CabManage)),
    ("/api/cab/schedule_meeting", "form[board_id]=1&form[when]=now", Some(Permission::CabManage)),
    ("/api/cab/meeting", "id=1", Some(Permission::ChangeRead)),
    ("/api/cab/item", "meeting_id=1&item_id=1", Some(Permission::ChangeRead)),
    ("/api/cab/start", "id=1&version=1", Some(Permission::CabChair)),
    ("/api/cab/go_to", "id=1&version=1&item_id=1", Some(Permission::CabChair)),
    ("/api/cab/vote", "id=1&item_id=1&form[vote]=approve", Some(Permission::CabVote)),
    ("/api/cab/vote_competence", "id=1", Some(Permission::CabVote)),
    ("/api/cab/decide", "id=1&version=1&item_id=1&form[decision]=authorise", Some(Permission::CabChair)),
    ("/api/cab/agenda", "id=1&version=1&op=refresh", Some(Permission::CabChair)),
    ("/api/cab/add_action", "id=1&version=1&form[text]=Probe&form[owner_id]=1&form[due]=2030-01-01", Some(Permission::CabChair)),
    ("/api/cab/end", "id=1&version=1", Some(Permission::CabChair)),
    ("/api/cab/save_minutes", "id=1&version=1&minutes=Probe", Some(Permission::CabChair)),
    ("/api/cab/my_work", "", None),
    ("/api/cab/complete_action", "id=1&version=1", None),
    ("/api/notifications/read", "", None),
    ("/api/improvements/list", "params[q]=", Some(Permission::ImprovementRead)),
    ("/api/improvements/board", "params[q]=", Some(Permission::ImprovementRead)),
    ("/api/improvements/import/preview", "csv=Title", Some(Permission::ImprovementRaise)),
    ("/api/improvements/import", "csv=Title", Some(Permission::ImprovementRaise)),
    ("/api/dashboard/overdue", "", Some(Permission::ImprovementRead)),
    ("/api/continuity/bia", "service_id=1", Some(Permission::ServiceRead)),
    ("/api/continuity/bia/save", "service_id=1&version=0&form[mtpd]=1d", Some(Permission::ServiceUpdate)),
    ("/api/audits/overview", "", Some(Permission::ComplianceRead)),
    ("/api/audits/choices", "", Some(Permission::ComplianceRead)),
    ("/api/audits/detail", "id=1", Some(Permission::ComplianceRead)),
    ("/api/audits/programme/create", "title=x&cycle_start=2026-01-01&cycle_end=2026-12-31", Some(Permission::AuditManage)),
    ("/api/audits/programme/update", "id=1&version=1&title=x&cycle_start=2026-01-01&cycle_end=2026-12-31", Some(Permission::AuditManage)),
    ("/api/audits/plan", "programme_id=1&title=x&area=x&planned_on=2026-01-01&lead_auditor_id=1&scope=x&criteria=x", Some(Permission::AuditManage)),
    ("/api/audits/edit", "id=1&version=1&title=x&area=x&planned_on=2026-01-01&lead_auditor_id=1&scope=x&criteria=x", Some(Permission::AuditManage)),
    ("/api/audits/transition", "id=1&version=1&action=start", Some(Permission::AuditManage)),
    ("/api/audits/checklist/record", "audit_id=1&version=1&item_id=1&result=pending", Some(Permission::AuditManage)),
    ("/api/audits/finding/record", "audit_id=1&version=1&grade=observation&clause=8.5.1&statement=x", Some(Permission::AuditManage)),
    ("/api/continuity/plans", "", Some(Permission::ContinuityRead)),
    ("/api/continuity/plan", "id=1", Some(Permission::ContinuityRead)),
    ("/api/continuity/plan-choices", "", Some(Permission::ContinuityRead)),
    ("/api/continuity/plan/create", "title=Probe+plan&owner_id=1&site=HQ&review_months=12", Some(Permission::ContinuityEdit)),
    ("/api/continuity/draft/save", r#"{"version_id":1,"version":1,"content":{"scope":"","activation":"","call_tree":[],"scenarios":[],"steps":[],"communications":[],"return_to_normal":"","related_plans":""}}"#, Some(Permission::ContinuityEdit)),
    ("/api/continuity/version/transition", "version_id=1&version=1&action=SendToReview", Some(Permission::ContinuityEdit)),
    ("/api/continuity/draft/new", "plan_id=1", Some(Permission::ContinuityEdit)),
    ("/api/continuity/compare", "old_id=1&new_id=1", Some(Permission::ContinuityRead)),
    ("/api/evidence-pack/start", "as_of=2026-01-31", Some(Permission::EvidenceExport)),
    ("/api/evidence-pack/status", "id=none", Some(Permission::EvidenceExport)),
    ("/api/evidence-pack/recent", "", Some(Permission::EvidenceExport)),
    ("/api/continuity/comment", "version_id=1&section=scope&text=Probe+comment", Some(Permission::ContinuityReview)),
    ("/api/continuity/exercise/plan", "plan_id=1&kind=tabletop&planned_on=2026-12-01&participants=Probe+people&objectives=Probe+objectives", Some(Permission::ContinuityEdit)),
    ("/api/continuity/exercise/record", "exercise_id=1&version=1&result=passed&actual=1h", Some(Permission::ContinuityEdit)),
    ("/api/continuity/exercise/finding", "exercise_id=1&version=1&index=0", Some(Permission::ContinuityEdit)),
    ("/api/dashboard/compliance", "", Some(Permission::ComplianceRead)),
    ("/api/documents/list", "", Some(Permission::ComplianceRead)),
    ("/api/documents/get", "id=1", Some(Permission::ComplianceRead)),
    ("/api/documents/owners", "", Some(Permission::ComplianceRead)),
    ("/api/documents/create", "title=Probe+policy&clauses[0]=5.2&owner_id=1&review_months=12&content=Probe", Some(Permission::DocumentEdit)),
    ("/api/documents/draft/save", "version_id=1&version=1&document_version=1&title=Probe+policy&clauses[0]=5.2&owner_id=1&review_months=12&content=Probe", Some(Permission::DocumentEdit)),
    ("/api/documents/version/transition", "version_id=1&version=1&action=SendToReview", Some(Permission::DocumentEdit)),
    ("/api/documents/draft/new", "document_id=1", Some(Permission::DocumentEdit)),
    ("/api/objectives/list", "", Some(Permission::ComplianceRead)),
    ("/api/objectives/get", "id=1", Some(Permission::ComplianceRead)),
    ("/api/objectives/choices", "", Some(Permission::ComplianceRead)),
    ("/api/objectives/create", "form[title]=Probe+objective&form[owner_id]=1&form[kpi_name]=Probe+KPI&form[baseline]=1&form[target]=2&form[direction]=higher&form[frequency]=monthly", Some(Permission::ObjectiveManage)),
    ("/api/objectives/update", "id=1&version=1&form[title]=Probe+objective&form[owner_id]=1&form[kpi_name]=Probe+KPI&form[baseline]=1&form[target]=2&form[direction]=higher&form[frequency]=monthly", Some(Permission::ObjectiveManage)),
    ("/api/objectives/measure", "id=1&form[measured_on]=2026-01-01&form[value]=1", Some(Permission::AssignedWork)),
    ("/api/improvements/get", "id=1", Some(Permission::ImprovementRead)),
    ("/api/improvements/history", "id=1", Some(Permission::ImprovementRead)),
    ("/api/improvements/create", "form[title]=Probe+improvement&form[source]=staff_suggestion&form[owner_id]=1", Some(Permission::ImprovementRaise)),
    ("/api/improvements/update", "id=1&version=1&form[title]=Probe+improvement&form[source]=staff_suggestion&form[owner_id]=1", Some(Permission::ImprovementRaise)),
    ("/api/improvements/transition", "id=1&version=1&action=evaluate", Some(Permission::ImprovementRaise)),
    ("/api/improvements/add_kpi", "id=1&version=1&form[name]=Probe&form[baseline]=1&form[target]=2&form[direction]=higher", Some(Permission::ImprovementRaise)),
    ("/api/improvements/measure", "id=1&version=1&kpi_id=1&form[on]=2026-01-01&form[value]=1", Some(Permission::ImprovementRaise)),
    ("/api/nonconformities/list", "", Some(Permission::ImprovementRead)),
    ("/api/nonconformities/get", "id=1", Some(Permission::ImprovementRead)),
    ("/api/nonconformities/raise", "form[grade]=minor&form[clause]=8.5.1&form[description]=Probe+finding+text&form[found_in]=audit&form[owner_id]=1", Some(Permission::FindingRaise)),
    ("/api/nonconformities/step", "id=1&version=1&step=close", Some(Permission::FindingRaise)),
    ("/api/incidents/queue", "params[state]=open", Some(Permission::IncidentRead)),
    ("/api/incidents/board", "params[priority]=p1", Some(Permission::IncidentRead)),
    ("/api/incidents/get", "id=1", Some(Permission::IncidentRead)),
    ("/api/incidents/choices", "", Some(Permission::IncidentRead)),
    ("/api/incidents/raise", "form[title]=Probe+incident&form[service_id]=1&form[impact]=low&form[urgency]=low", Some(Permission::IncidentRaise)),
    ("/api/incidents/step", "id=1&version=1&form[action]=close", Some(Permission::IncidentRaise)),
    ("/api/incidents/note", "id=1&note=Probe+note", Some(Permission::IncidentRaise)),
    ("/api/incidents/major", "id=1&version=1&major=true", Some(Permission::IncidentWork)),
    ("/api/incidents/review", "id=1&version=1&form[summary]=Probe", Some(Permission::IncidentWork)),
    ("/api/incidents/cause", "id=1&version=1&form[change]=CHG-00001", Some(Permission::IncidentWork)),
    ("/api/incidents/caused_by", "change_id=1", Some(Permission::IncidentRead)),
    ("/api/incidents/import/preview", "csv=Title", Some(Permission::IncidentImport)),
    ("/api/incidents/import", "csv=Title", Some(Permission::IncidentImport)),
    ("/api/service_levels/agreements", "", Some(Permission::IncidentRead)),
    ("/api/service_levels/agreement", "id=1", Some(Permission::IncidentRead)),
    ("/api/service_levels/choices", "", Some(Permission::IncidentRead)),
    ("/api/service_levels/agreements/create", "form[title]=Probe+agreement&form[customer]=Probe", Some(Permission::AgreementManage)),
    ("/api/service_levels/agreements/update", "id=1&version=1&form[title]=Probe+agreement", Some(Permission::AgreementManage)),
    ("/api/service_levels/agreements/transition", "id=1&version=1&action=approve", Some(Permission::IncidentRead)),
    ("/api/service_levels/agreements/revise", "id=1", Some(Permission::AgreementManage)),
    ("/api/service_levels/calendars", "", Some(Permission::IncidentRead)),
    ("/api/service_levels/calendar", "id=1", Some(Permission::IncidentRead)),
    ("/api/service_levels/calendars/create", "form[name]=Probe&form[time_zone]=UTC&form[days][0]=08%3A00-18%3A00&form[days][1]=&form[days][2]=&form[days][3]=&form[days][4]=&form[days][5]=&form[days][6]=", Some(Permission::AgreementManage)),
    ("/api/service_levels/calendars/update", "id=1&version=1&form[name]=Probe&form[time_zone]=UTC", Some(Permission::AgreementManage)),
    ("/api/service_levels/settings", "", Some(Permission::IncidentRead)),
    ("/api/service_levels/report", "service_id=1&month=", Some(Permission::IncidentRead)),
    ("/api/service_levels/settings/update", "version=1&cells[cell_high_high]=p1&reopen_days=10", Some(Permission::AgreementManage)),
    ("/api/intake/sources", "", Some(Permission::IncidentRead)),
    ("/api/intake/source", "id=1", Some(Permission::IncidentRead)),
    ("/api/intake/choices", "", Some(Permission::IncidentRead)),
    ("/api/intake/sources/create", "form[name]=Probe+source", Some(Permission::AgreementManage)),
    ("/api/intake/sources/update", "id=1&version=1&form[name]=Probe+source", Some(Permission::AgreementManage)),
    ("/api/intake/sources/token", "id=1&version=1", Some(Permission::AgreementManage)),
    ("/api/intake/sources/revoke", "id=1&version=1", Some(Permission::AgreementManage)),
    ("/api/risks/list", "params[state]=all", Some(Permission::RiskRead)),
    ("/api/risks/get", "id=1", Some(Permission::RiskRead)),
    ("/api/risks/matrix", "", Some(Permission::RiskRead)),
    ("/api/risks/reminders", "", Some(Permission::RiskRead)),
    ("/api/risks/choices", "", Some(Permission::RiskManage)),
    ("/api/risks/create", "form[kind]=risk&form[title]=Probe+risk", Some(Permission::RiskManage)),
    ("/api/risks/update", "id=1&version=1&form[kind]=risk&form[title]=Probe+risk", Some(Permission::RiskManage)),
    ("/api/risks/step", "id=1&version=1&form[action]=accept", Some(Permission::RiskManage)),
    ("/api/risks/review", "id=1&version=1&form[note]=Probe+review+note", Some(Permission::RiskManage)),
    ("/api/risks/set_matrix", "version=1&form[appetite]=low", Some(Permission::RiskMatrixManage)),
    ("/api/risks/decide_matrix", "version=1&decision=approve", Some(Permission::RiskMatrixManage)),
    ("/api/risks/addressed", "addressed_by=change&record_id=1", Some(Permission::RiskRead)),
    ("/api/risks/link", "form[addressed_by]=change&form[record_id]=1&form[risk]=RSK-1", Some(Permission::RiskManage)),
    ("/api/risks/unlink", "form[addressed_by]=change&form[record_id]=1&form[risk]=RSK-1", Some(Permission::RiskManage)),
    ("/api/suppliers/list", "params[status]=all", Some(Permission::SupplierRead)),
    ("/api/suppliers/reminders", "", Some(Permission::SupplierManage)),
    ("/api/suppliers/for_plan", "plan_id=1", Some(Permission::SupplierRead)),
    ("/api/suppliers/get", "id=1", Some(Permission::SupplierRead)),
    ("/api/suppliers/choices", "", Some(Permission::SupplierManage)),
    ("/api/suppliers/create", "form[name]=Probe+supplier&form[kind]=external", Some(Permission::SupplierManage)),
    ("/api/suppliers/update", "id=1&version=1&form[name]=Probe+supplier&form[kind]=external", Some(Permission::SupplierManage)),
    ("/api/suppliers/status", "id=1&version=1&form[status]=retired&form[reason]=Probe+reason+given", Some(Permission::SupplierManage)),
    ("/api/suppliers/add_contract", "id=1&version=1&form[reference]=C-1", Some(Permission::SupplierManage)),
    ("/api/suppliers/remove_contract", "id=1&version=1&contract_id=1", Some(Permission::SupplierManage)),
    ("/api/suppliers/review", "id=1&version=1&form[outcome]=meets", Some(Permission::SupplierManage)),
    ("/api/competences/matrix", "params[gaps]=yes", Some(Permission::CompetenceRead)),
    ("/api/competences/get", "id=1", Some(Permission::CompetenceRead)),
    ("/api/competences/person", "user_id=1", Some(Permission::CompetenceRead)),
    ("/api/competences/reminders", "", Some(Permission::CompetenceRead)),
    ("/api/competences/choices", "", Some(Permission::CompetenceManage)),
    ("/api/competences/create", "form[name]=Probe+competence&form[roles][]=cab_member", Some(Permission::CompetenceManage)),
    ("/api/competences/update", "id=1&version=1&form[name]=Probe+competence&form[roles][]=cab_member", Some(Permission::CompetenceManage)),
    ("/api/competences/status", "id=1&version=1&retire=true", Some(Permission::CompetenceManage)),
    ("/api/competences/record", "form[user_id]=1&form[competence_id]=1&form[kind]=training", Some(Permission::CompetenceManage)),
    ("/api/competences/withdraw", "evidence_id=1&form[reason]=Probe+reason+given", Some(Permission::CompetenceManage)),
    ("/api/awareness/list", "params[status]=", Some(Permission::AwarenessRead)),
    ("/api/awareness/get", "id=1", Some(Permission::AwarenessRead)),
    ("/api/awareness/due", "", Some(Permission::AwarenessAcknowledge)),
    ("/api/awareness/choices", "", Some(Permission::AwarenessManage)),
    ("/api/awareness/create", "form[title]=Probe+campaign&form[roles][]=cab_member", Some(Permission::AwarenessManage)),
    ("/api/awareness/update", "id=1&version=1&form[title]=Probe+campaign&form[roles][]=cab_member", Some(Permission::AwarenessManage)),
    ("/api/awareness/status", "id=1&version=1&close=true", Some(Permission::AwarenessManage)),
    ("/api/awareness/extend", "id=1&version=1&form[due_on]=2099-01-01", Some(Permission::AwarenessManage)),
    ("/api/awareness/newcomers", "id=1&version=1", Some(Permission::AwarenessManage)),
    ("/api/awareness/acknowledge", "id=1&read=yes", Some(Permission::AwarenessAcknowledge)),
    ("/api/cmdb/list", "params[status]=all", Some(Permission::ConfigurationRead)),
    ("/api/cmdb/get", "id=1", Some(Permission::ConfigurationRead)),
    ("/api/cmdb/history", "id=1", Some(Permission::ConfigurationRead)),
    ("/api/cmdb/choices", "", Some(Permission::ConfigurationManage)),
    ("/api/cmdb/create", "form[name]=Probe+item&form[kind]=server&form[status]=live", Some(Permission::ConfigurationManage)),
    ("/api/cmdb/update", "id=1&version=1&form[name]=Probe+item&form[kind]=server&form[status]=live", Some(Permission::ConfigurationManage)),
    ("/api/cmdb/relate", "id=1&version=1&form[kind]=runs_on&form[target]=CI-2", Some(Permission::ConfigurationManage)),
    ("/api/cmdb/unrelate", "id=1&version=1&relationship_id=1", Some(Permission::ConfigurationManage)),
    ("/api/cmdb/change_impact", "change_id=1", Some(Permission::ConfigurationRead)),
    ("/api/cmdb/import/preview", "csv=Name", Some(Permission::ConfigurationManage)),
    ("/api/cmdb/reach", "on=Incident&id=1", Some(Permission::ConfigurationRead)),
    ("/api/cmdb/name", "on=Incident&id=1&version=1&form[target]=CI-1", Some(Permission::ConfigurationRead)),
    ("/api/cmdb/unname", "on=Incident&id=1&version=1&ci_id=1", Some(Permission::ConfigurationRead)),
    ("/api/cmdb/import", "csv=Name", Some(Permission::ConfigurationManage)),
    ("/api/profile/get", "", Some(Permission::ProfileRead)),
    ("/api/profile/history", "id=1", Some(Permission::ProfileRead)),
    ("/api/profile/start", "", Some(Permission::ProfileEdit)),
    ("/api/profile/scope", "id=1&version=1&form[scope]=All", Some(Permission::ProfileEdit)),
    ("/api/profile/party", "id=1&version=1&form[name]=Staff&form[requirements]=Service", Some(Permission::ProfileEdit)),
    ("/api/profile/issue", "id=1&version=1&form[kind]=internal&form[text]=Ageing", Some(Permission::ProfileEdit)),
    ("/api/profile/exclusion", "id=1&version=1&form[what]=Print&form[reason]=Outsourced", Some(Permission::ProfileEdit)),
    ("/api/profile/policy", "id=1&version=1&form[policy]=We+serve", Some(Permission::ProfileEdit)),
    ("/api/profile/role", "id=1&version=1&form[role]=sms_owner", Some(Permission::ProfileEdit)),
    ("/api/profile/remove", "id=1&version=1&list=Parties&index=0", Some(Permission::ProfileEdit)),
    ("/api/profile/discard", "id=1&version=1", Some(Permission::ProfileEdit)),
    ("/api/profile/act", "id=1&version=1&action=Approve", Some(Permission::ProfileApprove)),
    ("/api/problems/list", "params[state]=open", Some(Permission::IncidentRead)),
    ("/api/problems/get", "id=1", Some(Permission::IncidentRead)),
    ("/api/problems/known_errors", "text=mail+queue", Some(Permission::IncidentRead)),
    ("/api/problems/create", "form[title]=Probe+problem&form[service_id]=1", Some(Permission::ProblemWork)),
    ("/api/problems/link", "id=1&incidents=INC-1", Some(Permission::ProblemWork)),
    ("/api/problems/unlink", "id=1&incident_id=1", Some(Permission::ProblemWork)),
    ("/api/problems/analysis", "id=1&version=1&form[root_cause]=Probe", Some(Permission::ProblemWork)),
    ("/api/problems/step", "id=1&version=1&form[action]=close", Some(Permission::ProblemWork)),
    ("/api/problems/change", "id=1&version=1", Some(Permission::ProblemWork)),
    ("/api/requests/catalogue", "", Some(Permission::RequestRead)),
    ("/api/requests/type", "id=1", Some(Permission::RequestRead)),
    ("/api/requests/type_create", "form[name]=Probe+request&form[service_id]=1", Some(Permission::RequestTypeManage)),
    ("/api/requests/type_update", "id=1&version=1&form[name]=Probe+request&form[service_id]=1", Some(Permission::RequestTypeManage)),
    ("/api/requests/raise", "form[type_id]=1&form[summary]=Probe+request", Some(Permission::RequestRaise)),
    ("/api/requests/list", "params[state]=open", Some(Permission::RequestRead)),
    ("/api/requests/get", "id=1", Some(Permission::RequestRead)),
    ("/api/requests/step", "id=1&version=1&form[action]=close", Some(Permission::RequestRaise)),
    ("/api/reviews/list", "", Some(Permission::ComplianceRead)),
    ("/api/reviews/get", "id=1", Some(Permission::ComplianceRead)),
    ("/api/reviews/people", "", Some(Permission::ComplianceRead)),
    ("/api/reviews/mine", "", Some(Permission::ComplianceRead)),
    ("/api/reviews/plan", "form[title]=Probe+review&form[planned_on]=2026-12-10&form[period_start]=2026-07-01&form[period_end]=2026-09-30&form[chair_id]=1", Some(Permission::ReviewManage)),
    ("/api/reviews/save", "id=1&version=1&form[minutes]=Probe", Some(Permission::ReviewManage)),
    ("/api/reviews/decision", "id=1&version=1&text=Probe+decision", Some(Permission::ReviewManage)),
    ("/api/reviews/action", "id=1&version=1&text=Probe+action&owner_id=1&due_on=2026-12-31", Some(Permission::ReviewManage)),
    ("/api/reviews/action/done", "id=1&version=1", Some(Permission::AssignedWork)),
    ("/api/reviews/transition", "id=1&version=1&step=Hold", Some(Permission::ReviewManage)),
    ("/api/users/list", "", Some(Permission::UserRead)),
    ("/api/users/create", "form[email]=probe%40example.org&form[name]=Probe&form[password]=probe-password", Some(Permission::UserManage)),
    ("/api/users/set_roles", "id=1&version=1&roles[0]=admin", Some(Permission::UserManage)),
    ("/api/users/disable", "id=1&version=1&disabled=true", Some(Permission::UserManage)),
    ("/api/users/reset_password", "id=1&version=1&password=probe-password", Some(Permission::UserManage)),
    ("/api/audit/list", "params[page]=1", Some(Permission::AuditRead)),
    ("/api/audit/actors", "", Some(Permission::AuditRead)),
    ("/api/account/time_zone", "time_zone=Europe%2FBerlin", None),
    ("/api/account/password", "form[current_password]=x&form[new_password]=y&form[confirm_password]=z", None),
];

#[test]
fn the_table_covers_every_registered_server_function() {
    let registered: BTreeSet<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .collect();
    let covered: BTreeSet<&str> = GUARDED
        .iter()
        .map(|(path, _, _)| *path)
        .chain(PUBLIC_SERVER_FNS.iter().copied())
        .collect();
    assert_eq!(
        registered, covered,
        "a server function was added without a permission test"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_callers_are_refused_everywhere() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    for (path, body, _) in GUARDED {
        let reply = send(&state, call(path, body, None)).await;
        assert_eq!(reply.error(), AppError::Unauthenticated, "{path}");
        assert_eq!(reply.status, axum::http::StatusCode::UNAUTHORIZED, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_reaches_exactly_what_the_matrix_grants() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    // A user without roles, and one user per role.
    add_user(&db, "nobody@example.org", vec![]).await;
    let mut callers = vec![(
        Vec::new(),
        sign_in(&state, "nobody@example.org", PASSWORD).await,
    )];
    for role in Role::ALL {
        let email = format!("{}@example.org", role.as_str());
        add_user(&db, &email, vec![role]).await;
        callers.push((vec![role], sign_in(&state, &email, PASSWORD).await));
    }
    for (roles, cookie) in &callers {
        for (path, body, permission) in GUARDED {
            let reply = send(&state, call(path, body, Some(cookie))).await;
            // The guard's refusal names the permission; a record-level "no" (not your change)
            // comes later and is not what this test is about.
            let refused = match serde_json::from_str::<AppError>(&reply.body) {
                Ok(AppError::Unauthenticated) => true,
                Ok(AppError::Forbidden(what)) => permission.is_some_and(|p| what == p.describe()),
                _ => false,
            };
            let allowed = permission.is_none_or(|p| may(roles, p));
            assert_eq!(
                !refused, allowed,
                "{roles:?} calling {path}: {} {}",
                reply.status, reply.body
            );
            if refused {
                assert_eq!(reply.status, axum::http::StatusCode::FORBIDDEN, "{path}");
            }
        }
    }
    // Refusals are on the record.
    let refusals = app::server::service::audit_trail::list(
        &db,
        &app::model::audit::AuditQueryParams {
            ..Default::default()
        }
        .to_query(),
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .filter(|e| e.action == "permission_refused")
    .count();
    assert!(refusals > 0);
}
