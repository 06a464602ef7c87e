// Segments: typed definition trees (schema.ts), one compiler to SQL (compile.ts), an in-memory
// evaluator (evaluate.ts) and saved segments with count/preview/contacts (service.ts).
export { segmentContactIds, compileSegment, type SegmentIdQuery } from './compile.js';
export { evaluateSegment, evaluateNode, type PersonData, type EvalEnv } from './evaluate.js';
export { SegmentDefinitionSchema, SEGMENT_LIMITS, validateDefinition, type SegmentDefinition, type SegmentNodeT } from './schema.js';
export {
  countSegment, createSegment, deleteSegment, getSegment, listSegments, previewSegment, savedSegmentContactIds,
  segmentContactsPage, updateSegment, type Segment, type SegmentContact,
} from './service.js';
