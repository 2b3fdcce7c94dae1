export { targetReturnDate, hasWeekend, weekCalendar, isWorkingDateOn, returnedByTarget } from './target.js';
export { REPORT_WORKDAYS, nextReportDue, reminderAt, reportStatus, type ReportStatus } from './clock.js';
export { REPAIR_STATES, REPAIR_ACTIONS, AWAY_STATES, OPEN_REPAIR_STATES, allowedRepairActions, repairTransition, isAway, RepairLifecycleError, type RepairState, type RepairAction } from './lifecycle.js';
export { vendorOla, type OlaOrder, type OlaMeasure, type VendorOla } from './ola.js';
