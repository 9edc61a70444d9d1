import { StrKey, type xdr } from '@stellar/stellar-sdk';

/** A credit asset as the ledger keys it: code (1-12 alphanumerics) and issuing account. */
export interface CreditAsset {
  code: string;
  issuer: string;
}

export type AssetValue = { type: 'native' } | ({ type: 'credit_alphanum4' | 'credit_alphanum12' } & CreditAsset);

export function creditType(code: string): 'credit_alphanum4' | 'credit_alphanum12' {
  return code.length <= 4 ? 'credit_alphanum4' : 'credit_alphanum12';
}

export function assetKey(asset: CreditAsset): string {
  return `${asset.code}:${asset.issuer}`;
}

export function sameAsset(a: AssetValue, b: AssetValue): boolean {
  if (a.type === 'native' || b.type === 'native') return a.type === b.type;
  return a.code === b.code && a.issuer === b.issuer;
}

/** Horizon's asset fields: asset_type, and asset_code/asset_issuer for credit assets. */
export function assetFields(asset: AssetValue, prefix = ''): Record<string, string> {
  if (asset.type === 'native') return { [`${prefix}asset_type`]: 'native' };
  return {
    [`${prefix}asset_type`]: asset.type,
    [`${prefix}asset_code`]: asset.code,
    [`${prefix}asset_issuer`]: asset.issuer,
  };
}

/**
 * stellar-core's isAssetValid for a raw code: ASCII letters and digits, padded on the right with NUL bytes only;
 * alphanum4 has 1-4 characters, alphanum12 has 5-12.
 */
function codeFromBytes(bytes: Buffer, alphanum12: boolean): string | null {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end -= 1;
  const code = bytes.subarray(0, end).toString('latin1');
  if (!/^[A-Za-z0-9]+$/.test(code)) return null;
  if (alphanum12 ? code.length < 5 : code.length < 1) return null;
  return code;
}

function accountIdToString(id: xdr.AccountId): string {
  return StrKey.encodeEd25519PublicKey(id.ed25519());
}

type AnyXdrAsset = xdr.Asset | xdr.ChangeTrustAsset | xdr.TrustLineAsset;

/** Reads an XDR asset; `valid` is false for a malformed code (the caller answers with its MALFORMED code). */
export function readAsset(asset: AnyXdrAsset): { asset: AssetValue; valid: boolean } | { poolShare: true } {
  const kind = asset.switch().name;
  if (kind === 'assetTypeNative') return { asset: { type: 'native' }, valid: true };
  if (kind === 'assetTypeCreditAlphanum4' || kind === 'assetTypeCreditAlphanum12') {
    const alphanum12 = kind === 'assetTypeCreditAlphanum12';
    const body = (alphanum12 ? asset.alphaNum12() : asset.alphaNum4()) as xdr.AlphaNum4 | xdr.AlphaNum12;
    const raw = Buffer.from(body.assetCode() as Buffer);
    const code = codeFromBytes(raw, alphanum12);
    const issuer = accountIdToString(body.issuer());
    const printable = code ?? raw.toString('latin1').replace(/\0+$/, '');
    return {
      asset: { type: alphanum12 ? 'credit_alphanum12' : 'credit_alphanum4', code: printable, issuer },
      valid: code !== null,
    };
  }
  return { poolShare: true };
}

/** The canonical string form Horizon uses in some fields: "native" or "CODE:ISSUER". */
export function canonicalAsset(asset: AssetValue): string {
  return asset.type === 'native' ? 'native' : `${asset.code}:${asset.issuer}`;
}
