import { Link } from '../../router';

export { CryptoRecordsPage } from './RecordsPage';
export { CryptoRecordDetailPage } from './RecordDetailPage';
export { canReadCryptoRecords } from './logic';

/** The two record lists in the top bar. */
export function CryptoRecordsNav({ path }: { path: string }) {
  return (
    <>
      <Link to="/inbox/crypto/withdrawals" className={path.startsWith('/inbox/crypto/withdrawals') ? 'active' : ''} data-testid="nav-crypto-withdrawals">Crypto withdrawals</Link>
      <Link to="/inbox/crypto/deposits" className={path.startsWith('/inbox/crypto/deposits') ? 'active' : ''} data-testid="nav-crypto-deposits">Crypto deposits</Link>
    </>
  );
}
