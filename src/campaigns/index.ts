// Campaigns: the marketer-facing model over the delivery engine — CRUD, send/schedule,
// pause/resume/cancel, test sends, derived campaigns and ledger-derived counts.
export { CAMPAIGN_STATUSES, createCampaign, deleteCampaign, getCampaignRow, listCampaigns, toCampaign, updateCampaign, type Campaign, type CampaignInput, type CampaignStatus } from './model.js';
export { assertSendable, cancelCampaign, pauseCampaign, resumeCampaign, sendWarnings, startCampaignSend } from './lifecycle.js';
export { campaignCounts, listDeliveries, type CampaignCounts, type DeliveryRow } from './stats.js';
export { createDerivedCampaign } from './derived.js';
export { sendTestMessages, type TestSendResult } from './test-send.js';
