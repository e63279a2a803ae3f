// What other features use of intent: page categories, the incremental feature extractor, the Online Shoppers
// columns of the same state, the token sequence for the sequence models, the survey taxonomy and behaviour segments.
export { checkPageRules, createPageCategorizer, DEFAULT_PAGE_RULES, PAGE_CATEGORIES, PageRule, PageRules, type PageCategorizer, type PageCategory, type RuleProblem } from './page-categories.js';
export {
  createFeatureState, engagementScore, FEATURE_COUNT, FEATURE_NAMES, isBounce, namedVector, OUTCOME_FEATURES, sessionLocalTime, setContext, update, vector,
  type FeatureContext, type FeatureEvent, type FeatureState, type FeatureStateOptions,
} from './features.js';
export {
  createPageStatsAccumulator, ONLINE_SHOPPERS_COLUMNS, onlineShoppersCsvLine, onlineShoppersRow, revenue, SHOPPERS_PAGE_TYPE,
  type OnlineShoppersRow, type PageRates, type PageStatsAccumulator, type SitePageStats,
} from './online-shoppers.js';
export { DEFAULT_SEQUENCE_LENGTH, OUTCOME_TOKENS, PAD, sequence, SEQUENCE_VOCABULARY, tokenNames } from './sequence.js';
export { DEFAULT_TAXONOMY, intentSettings, type IntentOption, type IntentSettings } from './taxonomy.js';
export { SEGMENT_FEATURES, segmentName, SegmentModel, type Segment, type SegmentOptions } from './segments.js';
