/**
 * The platform's policy pack: every rule, in report order. Adding a rule = writing it in one of
 * these modules, listing it here, and giving it a compliant and a non-compliant test.
 */
import type { PolicyRule } from "../model";
import { runDedicatedServiceAccount, runIngressNeverAll, runInternalServiceAuthenticated } from "./cloud-run";
import { sqlBackupsWithPitr, sqlDeletionProtectionInProduction, sqlNoPublicIp, sqlTlsRequired } from "./cloud-sql";
import { tasksAuthenticatedHttps, tasksWithinWorkerCapacity } from "./cloud-tasks";
import { sqlConnectionBudget } from "./connection-budget";
import { edgeArmorEnforcedInProduction, edgeCloudArmor, edgeHttpRedirectsOnly, edgeModernTls } from "./edge";
import { iamNoBasicRoles, iamSecretAccessPerSecret } from "./iam";
import { requiredLabels } from "./labels";
import { redisAuth, redisTls } from "./memorystore";
import { runNoPlaintextSecrets } from "./plaintext-secrets";
import { burnRateLookbacksAccepted, publicServiceSloWithBurnRateAlert } from "./slo";

export const PLATFORM_RULES: readonly PolicyRule[] = [
  sqlNoPublicIp,
  sqlTlsRequired,
  sqlBackupsWithPitr,
  sqlDeletionProtectionInProduction,
  sqlConnectionBudget,
  redisAuth,
  redisTls,
  runIngressNeverAll,
  runInternalServiceAuthenticated,
  runDedicatedServiceAccount,
  runNoPlaintextSecrets,
  tasksAuthenticatedHttps,
  tasksWithinWorkerCapacity,
  edgeCloudArmor,
  edgeModernTls,
  edgeHttpRedirectsOnly,
  edgeArmorEnforcedInProduction,
  publicServiceSloWithBurnRateAlert,
  burnRateLookbacksAccepted,
  requiredLabels,
  iamNoBasicRoles,
  iamSecretAccessPerSecret,
];

export const PLATFORM_RULE_IDS: readonly string[] = PLATFORM_RULES.map((r) => r.id);
