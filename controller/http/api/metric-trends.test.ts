import { describe, expect, it } from 'vitest';
import { trendQueries } from './metric-trends.js';

describe('trendQueries', () => {
  it('each step\'s figure as the promotion bot reads it: peaks of queue wait and concurrency, mean of executions a minute', () => {
    expect(trendQueries(86_400)).toEqual({
      queueWaitP95Seconds: 'max by (tenant) (max_over_time(rp9_tenant_queue_wait_p95_seconds[86400s]))',
      executionsPerMinute: 'avg by (tenant) (avg_over_time(rp9_tenant_executions_min[86400s]))',
      concurrentExecutions: 'max by (tenant) (max_over_time(rp9_tenant_concurrent_executions[86400s]))',
    });
  });
});
