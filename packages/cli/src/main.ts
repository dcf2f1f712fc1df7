console.log('interdict: not yet');
