import { HeartbeatWatch } from '../../../src/mongo/heartbeat-watch';

describe('HeartbeatWatch', () => {
  it('names no check while every one under way is younger than the bound', () => {
    const watch = new HeartbeatWatch(1000);
    watch.started('a:1', 0);
    expect(watch.stuck(999)).toBeUndefined();
  });

  it('names the check under way longest once it reaches the bound', () => {
    const watch = new HeartbeatWatch(1000);
    watch.started('a:1', 500);
    watch.started('b:1', 0);
    expect(watch.stuck(1500)).toEqual({ address: 'b:1', forMs: 1500 });
  });

  it('forgets a check that ended, and a new start begins a new wait', () => {
    const watch = new HeartbeatWatch(1000);
    watch.started('a:1', 0);
    watch.ended('a:1');
    expect(watch.stuck(5000)).toBeUndefined();
    watch.started('a:1', 4500);
    expect(watch.stuck(5000)).toBeUndefined();
    expect(watch.stuck(5500)).toEqual({ address: 'a:1', forMs: 1000 });
  });

  it('forgets everything when cleared', () => {
    const watch = new HeartbeatWatch(1000);
    watch.started('a:1', 0);
    watch.clear();
    expect(watch.stuck(5000)).toBeUndefined();
  });
});
