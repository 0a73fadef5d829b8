/** The KMIP 1.x tags and enumerations Custos speaks (KMIP 1.2 specification §9.1.3). */
export const TAG = {
  activationDate: 0x420001,
  applicationData: 0x420002,
  applicationNamespace: 0x420003,
  applicationSpecificInformation: 0x420004,
  attribute: 0x420008,
  attributeIndex: 0x420009,
  attributeName: 0x42000a,
  attributeValue: 0x42000b,
  batchCount: 0x42000d,
  batchItem: 0x42000f,
  blockCipherMode: 0x420011,
  cryptographicAlgorithm: 0x420028,
  cryptographicLength: 0x42002a,
  cryptographicParameters: 0x42002b,
  cryptographicUsageMask: 0x42002c,
  encryptionKeyInformation: 0x420036,
  hashingAlgorithm: 0x420038,
  keyBlock: 0x420040,
  keyFormatType: 0x420042,
  keyMaterial: 0x420043,
  keyValue: 0x420045,
  keyWrappingData: 0x420046,
  maximumResponseSize: 0x420050,
  nameType: 0x420054,
  nameValue: 0x420055,
  name: 0x420053,
  objectGroup: 0x420056,
  objectType: 0x420057,
  operation: 0x42005c,
  operationPolicyName: 0x42005d,
  paddingMethod: 0x42005f,
  publicKey: 0x42006d,
  protocolVersion: 0x420069,
  protocolVersionMajor: 0x42006a,
  protocolVersionMinor: 0x42006b,
  queryFunction: 0x420074,
  requestHeader: 0x420077,
  requestMessage: 0x420078,
  requestPayload: 0x420079,
  responseHeader: 0x42007a,
  responseMessage: 0x42007b,
  responsePayload: 0x42007c,
  resultMessage: 0x42007d,
  resultReason: 0x42007e,
  resultStatus: 0x42007f,
  revocationReason: 0x420081,
  revocationReasonCode: 0x420082,
  symmetricKey: 0x42008f,
  templateAttribute: 0x420091,
  timeStamp: 0x420092,
  uniqueBatchItemId: 0x420093,
  uniqueIdentifier: 0x420094,
  state: 0x42008d,
  vendorIdentification: 0x42009d,
  wrappingMethod: 0x42009e,
  encodingOption: 0x4200a3,
  serverInformation: 0x420088,
} as const;

export const OPERATION = {
  create: 1,
  register: 3,
  locate: 8,
  get: 10,
  getAttributes: 11,
  activate: 18,
  revoke: 19,
  destroy: 20,
  query: 24,
  discoverVersions: 30,
} as const;
export type OperationName = keyof typeof OPERATION;
export const OPERATION_NAMES = new Map<number, string>(Object.entries(OPERATION).map(([k, v]) => [v, k]));

export const OBJECT_TYPE = { certificate: 1, symmetricKey: 2, publicKey: 3, privateKey: 4 } as const;
export const OBJECT_TYPE_NAMES: Record<number, string> = { 1: 'a certificate', 2: 'a symmetric key', 3: 'a public key', 4: 'a private key', 5: 'a split key', 6: 'a template', 7: 'secret data', 8: 'an opaque object' };
export const CRYPTOGRAPHIC_ALGORITHM = { AES: 3, RSA: 4 } as const;
export const KEY_FORMAT_TYPE = { raw: 1, pkcs1: 3, x509: 5, transparentSymmetricKey: 7 } as const;
/** Key Wrapping Data (KMIP 1.2 §2.1.5): Wrapping Method, Padding Method, Hashing Algorithm, Encoding Option. */
export const WRAPPING_METHOD = { encrypt: 1 } as const;
export const BLOCK_CIPHER_MODE = { aesKeyWrapPadding: 12 } as const;
export const PADDING_METHOD = { oaep: 2 } as const;
export const HASHING_ALGORITHM = { sha256: 6 } as const;
export const ENCODING_OPTION = { noEncoding: 1 } as const;
export const NAME_TYPE = { uninterpretedTextString: 1 } as const;
export const RESULT_STATUS = { success: 0, operationFailed: 1, operationPending: 2, operationUndone: 3 } as const;
export const QUERY_FUNCTION = { operations: 1, objects: 2, serverInformation: 3 } as const;
export const REVOCATION_REASON = { unspecified: 1, keyCompromise: 2, caCompromise: 3, affiliationChanged: 4, superseded: 5, cessationOfOperation: 6, privilegeWithdrawn: 7 } as const;

/** KMIP 1.2 §9.1.3.3.1 Cryptographic Usage Mask bits. */
export const USAGE_MASK = { sign: 0x1, verify: 0x2, encrypt: 0x4, decrypt: 0x8, wrapKey: 0x10, unwrapKey: 0x20, export: 0x40, macGenerate: 0x80, macVerify: 0x100 } as const;

/** KMIP 1.2 §9.1.3.2.29 Result Reason, for messages a person can read. */
export const RESULT_REASON: Record<number, string> = {
  0x01: 'Item Not Found',
  0x02: 'Response Too Large',
  0x03: 'Authentication Not Successful',
  0x04: 'Invalid Message',
  0x05: 'Operation Not Supported',
  0x06: 'Missing Data',
  0x07: 'Invalid Field',
  0x08: 'Feature Not Supported',
  0x09: 'Operation Canceled By Requester',
  0x0a: 'Cryptographic Failure',
  0x0b: 'Illegal Operation',
  0x0c: 'Permission Denied',
  0x0d: 'Object archived',
  0x0e: 'Index Out of Bounds',
  0x0f: 'Application Namespace Not Supported',
  0x10: 'Key Format Type Not Supported',
  0x11: 'Key Compression Type Not Supported',
  0x12: 'Encoding Option Error',
  0x13: 'Key Value Not Present',
  0x14: 'Attestation Required',
  0x15: 'Attestation Failed',
  0x100: 'General Failure',
};

/** KMIP 1.2 §9.1.3.2.17 State. */
export const STATE_NAMES: Record<number, string> = { 1: 'pre-active', 2: 'active', 3: 'deactivated', 4: 'compromised', 5: 'destroyed', 6: 'destroyed-compromised' };
